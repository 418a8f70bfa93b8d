package dev.sealwright.vm;

import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this host can run: QEMU's version and user-creatable objects, whether KVM is usable, and
 * whether TDX / SEV-SNP are enabled in kvm_intel / kvm_amd. A TEE launch on a host without the TEE
 * is refused with the reason ({@link #refusal}); a plain VM falls back to TCG when KVM is unusable.
 */
public record HostCapabilities(QemuVersion qemuVersion, Set<String> qemuObjects, boolean kvmUsable, String kvmReason,
                               boolean tdxEnabled, boolean snpEnabled) {

    /** Probes the host: runs {@code qemu-system-x86_64 --version} and {@code -object help}, reads /dev/kvm and /sys/module. */
    public static HostCapabilities detect(Tools tools) {
        return detect(tools, Path.of("/"));
    }

    static HostCapabilities detect(Tools tools, Path root) {
        ToolResult v = tools.exec("qemu-system-x86_64", "--version").timeout(Duration.ofSeconds(30)).run();
        QemuVersion version = QemuVersion.parse(v.stdout().lines().findFirst().orElse(""));
        ToolResult o = tools.exec("qemu-system-x86_64", "-object", "help").timeout(Duration.ofSeconds(30)).allowFailure().run();
        Set<String> objects = new TreeSet<>();
        o.stdout().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.endsWith(":")).forEach(objects::add);

        Path kvm = root.resolve("dev/kvm");
        Path modules = root.resolve("sys/module");
        boolean intel = Files.isDirectory(modules.resolve("kvm_intel"));
        boolean amd = Files.isDirectory(modules.resolve("kvm_amd"));
        String reason;
        boolean usable = false;
        if (!Files.exists(kvm)) reason = "/dev/kvm does not exist";
        else if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) reason = "/dev/kvm is not readable and writable by this user";
        else if (!intel && !amd) reason = "neither kvm_intel nor kvm_amd is loaded (no hardware virtualization)";
        else {
            usable = true;
            reason = "kvm " + (intel ? "kvm_intel" : "kvm_amd");
        }
        boolean tdx = intel && yes(modules.resolve("kvm_intel/parameters/tdx"));
        boolean snp = amd && yes(modules.resolve("kvm_amd/parameters/sev_snp"));
        return new HostCapabilities(version, objects, usable, reason, tdx, snp);
    }

    private static boolean yes(Path param) {
        try {
            String s = Files.readString(param).strip();
            return s.equals("Y") || s.equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** The accelerator a plain VM uses here: kvm when usable, else tcg. */
    public String accelerator() {
        return kvmUsable ? "kvm" : "tcg";
    }

    /** Why this host cannot launch the spec, or empty if it can. */
    public Optional<String> refusal(VmSpec spec) {
        return switch (spec.tee()) {
            case NONE -> Optional.empty();
            case TDX -> {
                if (!kvmUsable) yield Optional.of("tee tdx needs KVM, and KVM is not usable here: " + kvmReason);
                if (!tdxEnabled) yield Optional.of("tee tdx needs TDX enabled in kvm_intel (/sys/module/kvm_intel/parameters/tdx is not Y)");
                if (!qemuObjects.contains("tdx-guest")) yield Optional.of("tee tdx needs a QEMU with the tdx-guest object; QEMU " + qemuVersion + " here has none");
                yield Optional.empty();
            }
            case SNP -> {
                if (!kvmUsable) yield Optional.of("tee snp needs KVM, and KVM is not usable here: " + kvmReason);
                if (!snpEnabled) yield Optional.of("tee snp needs SEV-SNP enabled in kvm_amd (/sys/module/kvm_amd/parameters/sev_snp is not Y)");
                if (!qemuObjects.contains("sev-snp-guest")) yield Optional.of("tee snp needs a QEMU with the sev-snp-guest object (upstream >= 9.1); QEMU " + qemuVersion + " here has none");
                yield Optional.empty();
            }
        };
    }
}
