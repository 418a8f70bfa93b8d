package dev.sealwright.cli;

import dev.sealwright.base.RecipeException;
import dev.sealwright.vm.VmSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The VM options of {@code sealwright launch}, shared with {@code measure tdx}
 * ({@code @ArgGroup(exclusive = false) VmOptions vm}) so both read the same {@link VmSpec}. An option
 * not given is null: its default is {@link VmSpec}'s (or the measurement request's), declared once there.
 * Java, so that {@code measure tdx} starts without Groovy.
 */
public class VmOptions {
    @Option(names = "--firmware", paramLabel = "F", description = "OVMF code (with --vars) or a single firmware file")
    public Path firmware;
    @Option(names = "--vars", paramLabel = "F", description = "OVMF vars template; the VM gets its own copy")
    public Path vars;
    @Option(names = "--uki", paramLabel = "X", description = "boot this UKI from the ESP of a generated GPT disk")
    public Path uki;
    @Option(names = "--kernel", paramLabel = "K", description = "direct kernel boot")
    public Path kernel;
    @Option(names = "--initrd", paramLabel = "I", description = "initrd for direct boot")
    public Path initrd;
    @Option(names = "--cmdline", paramLabel = "S", description = "kernel command line for direct boot")
    public String cmdline;
    @Option(names = "--cpus", paramLabel = "N", description = "vCPUs (default: 1)")
    public Integer cpus;
    @Option(names = "--memory", paramLabel = "SIZE", description = "memory, e.g. 512M or 2G (default: " + VmSpec.DEFAULT_MEMORY + ")")
    public String memory;
    @Option(names = "--tee", paramLabel = "MODE", description = "none, tdx or snp (default: none to launch, tdx to measure tdx)")
    public String tee;
    @Option(names = "--vtpm", description = "attach a swtpm TPM 2.0")
    public boolean vtpm;
    @Option(names = "--disk", paramLabel = "F", description = "extra virtio disk (repeatable; writes are discarded)")
    public List<Path> disks = new ArrayList<>();
    @Option(names = "--forward", paramLabel = "HOSTPORT:GUESTPORT", description = "TCP forward on 127.0.0.1 (repeatable)")
    public List<String> forwards = new ArrayList<>();

    public VmSpec toSpec() {
        return toSpec(null, null);
    }

    /** The spec; {@code bootDisk} and {@code tpmState} are launch's own options (measure tdx has its own --boot-disk). */
    public VmSpec toSpec(Path bootDisk, Path tpmState) {
        if (firmware == null) throw new RecipeException("the VM needs --firmware (e.g. /usr/share/OVMF/OVMF_CODE_4M.fd with --vars /usr/share/OVMF/OVMF_VARS_4M.fd)");
        VmSpec.Builder b = VmSpec.builder().firmware(firmware).vars(vars).uki(uki).kernel(kernel).initrd(initrd).cmdline(cmdline)
                .bootDisk(bootDisk).tpmState(tpmState).tee(tee).vtpm(vtpm);
        if (cpus != null) b.cpus(cpus);
        if (memory != null) b.memory(memory);
        disks.forEach(b::disk);
        forwards.forEach(b::forward);
        return b.build();
    }
}
