package dev.sealwright.cli;

import dev.sealwright.measure.tdx.TdxProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sealwright measure profiles}. Java, so that it starts without Groovy. */
@Command(name = "profiles", mixinStandardHelpOptions = true, description = {"List the TDX host-stack profiles and every version-dependent choice each fixes."})
public class MeasureProfilesCommand implements Callable<Integer> {
    @Mixin
    JsonOutput json;

    @Override
    public Integer call() {
        if (json.wanted()) {
            List<Map<String, Object>> profiles = new ArrayList<>();
            for (TdxProfile p : TdxProfile.ALL) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.name());
                m.put("description", p.description());
                m.put("qemu", p.qemu().toString());
                m.put("tdx_dialect", p.dialect().toString());
                m.put("mrtd_page_order", p.pageOrder().toString());
                m.put("ready_to_boot_separator", p.separatorLayout().toString());
                m.put("kernel_patch", p.kernelPatch().toString());
                m.put("secure_boot", p.secureBoot().toString());
                m.put("acpi", p.acpi() == null ? null : p.acpi().name());
                profiles.add(m);
            }
            json.print(Map.of("profiles", profiles));
            return Main.OK;
        }
        for (TdxProfile p : TdxProfile.ALL) {
            System.out.println(p.name() + ": " + p.description());
            System.out.println("  QEMU:                 " + p.qemu() + " (TDX command line: " + p.dialect() + ")");
            System.out.println("  MRTD page order:      " + p.pageOrder());
            System.out.println("  ReadyToBoot separator: " + p.separatorLayout());
            System.out.println("  QEMU kernel header:   " + p.kernelPatch() + " (override: --kernel-patch all|linux|none)");
            System.out.println("  SecureBoot variable:  " + p.secureBoot() + " (override: --secure-boot absent|0|1)");
            System.out.println("  ACPI tables:          " + (p.acpi() == null ? "not modelled: pass --acpi DIR" : "built as QEMU " + p.acpi().name() + " (override: --acpi DIR)"));
        }
        return Main.OK;
    }
}
