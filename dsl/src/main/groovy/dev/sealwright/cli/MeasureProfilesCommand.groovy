package dev.sealwright.cli

import dev.sealwright.measure.tdx.TdxProfile
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin

import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'profiles', mixinStandardHelpOptions = true, description = ['List the TDX host-stack profiles and every version-dependent choice each fixes.'])
class MeasureProfilesCommand implements Callable<Integer> {
    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        if (json.wanted()) {
            json.print([profiles: TdxProfile.ALL.collect { TdxProfile p ->
                [name: p.name(), description: p.description(), mrtd_page_order: p.pageOrder().toString(), ready_to_boot_separator: p.separatorLayout().toString(),
                 kernel_patch: p.kernelPatch().toString(), secure_boot: p.secureBoot().toString(), acpi: p.acpi()?.name()]
            }])
            return Main.OK
        }
        TdxProfile.ALL.each { TdxProfile p ->
            println "${p.name()}: ${p.description()}"
            println "  MRTD page order:      ${p.pageOrder()}"
            println "  ReadyToBoot separator: ${p.separatorLayout()}"
            println "  QEMU kernel header:   ${p.kernelPatch()} (override: --kernel-patch all|linux|none)"
            println "  SecureBoot variable:  ${p.secureBoot()} (override: --secure-boot absent|0|1)"
            println "  ACPI tables:          ${p.acpi() == null ? 'not modelled: pass --acpi DIR' : 'built as QEMU ' + p.acpi().name() + ' (override: --acpi DIR)'}"
        }
        Main.OK
    }
}
