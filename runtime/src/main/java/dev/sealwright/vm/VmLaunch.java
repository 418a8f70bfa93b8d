package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one launch operation: {@code sealwright launch} and the {@code launch} step both start a {@link VmSpec}
 * (or print its QEMU command line on a dry run) through these two calls; they differ only in how long the VM lives.
 */
public final class VmLaunch {
    private VmLaunch() {}

    /** A dry run's QEMU argv and the QEMU version whose dialect it uses. */
    public record CommandLine(List<String> argv, QemuVersion version) {
        public String shellLine() { return QemuCommandLine.shellLine(argv); }
    }

    /**
     * The command line that would start {@code spec} with its files under {@code runDir}. {@code version} null:
     * the installed QEMU's; given, the line is printed even where QEMU is not installed (accelerator kvm).
     */
    public static CommandLine dryRun(VmSpec spec, Tools tools, QemuVersion version, Path runDir) {
        Optional<Path> qemu = tools.locate("qemu-system-x86_64");
        if (version == null && qemu.isEmpty())
            throw new RecipeException("qemu-system-x86_64 not found: give the QEMU version (--qemu-version) to print the command line without it");
        HostCapabilities caps = qemu.isPresent() ? HostCapabilities.detect(tools) : null;
        QemuVersion v = version != null ? version : caps.qemuVersion();
        List<String> argv = QemuCommandLine.build(spec, qemu.map(Path::toString).orElse("qemu-system-x86_64"), v,
                caps != null ? caps.accelerator() : "kvm", new VmRunDir(runDir.toAbsolutePath()));
        return new CommandLine(argv, v);
    }

    /** Starts {@code spec}: through libvirt at {@code libvirtUri} when given, else a local QEMU on {@code host}. */
    public static VmHandle start(VmSpec spec, String libvirtUri, Tools tools, HostCapabilities host, Path runDir, Consumer<String> console)
            throws IOException, InterruptedException {
        return libvirtUri != null ? LibvirtDomain.launch(spec, libvirtUri, tools, runDir, console)
                : VmHandle.launch(spec, tools, host, runDir, console);
    }
}
