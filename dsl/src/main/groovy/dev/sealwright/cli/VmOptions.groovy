package dev.sealwright.cli

import dev.sealwright.vm.VmSpec
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Option

import java.nio.file.Path

/**
 * The VM options of {@code sealwright launch}, shared with {@code measure tdx}
 * ({@code @ArgGroup(exclusive = false) VmOptions vm}) so both read the same {@link VmSpec}. An option
 * not given is null: its default is {@link VmSpec}'s (or the measurement request's), declared once there.
 */
@CompileStatic
class VmOptions {
    @Option(names = '--firmware', paramLabel = 'F', description = 'OVMF code (with --vars) or a single firmware file')
    Path firmware
    @Option(names = '--vars', paramLabel = 'F', description = 'OVMF vars template; the VM gets its own copy')
    Path vars
    @Option(names = '--uki', paramLabel = 'X', description = 'boot this UKI from the ESP of a generated GPT disk')
    Path uki
    @Option(names = '--kernel', paramLabel = 'K', description = 'direct kernel boot')
    Path kernel
    @Option(names = '--initrd', paramLabel = 'I', description = 'initrd for direct boot')
    Path initrd
    @Option(names = '--cmdline', paramLabel = 'S', description = 'kernel command line for direct boot')
    String cmdline
    @Option(names = '--cpus', paramLabel = 'N', description = 'vCPUs (default: 1)')
    Integer cpus
    @Option(names = '--memory', paramLabel = 'SIZE', description = 'memory, e.g. 512M or 2G (default: ' + VmSpec.DEFAULT_MEMORY + ')')
    String memory
    @Option(names = '--tee', paramLabel = 'MODE', description = 'none, tdx or snp (default: none to launch, tdx to measure tdx)')
    String tee
    @Option(names = '--vtpm', description = 'attach a swtpm TPM 2.0')
    boolean vtpm
    @Option(names = '--disk', paramLabel = 'F', description = 'extra virtio disk (repeatable; writes are discarded)')
    List<Path> disks = []
    @Option(names = '--forward', paramLabel = 'HOSTPORT:GUESTPORT', description = 'TCP forward on 127.0.0.1 (repeatable)')
    List<String> forwards = []

    /** The spec; {@code bootDisk} and {@code tpmState} are launch's own options (measure tdx has its own --boot-disk). */
    VmSpec toSpec(Path bootDisk = null, Path tpmState = null) {
        if (firmware == null) throw new RecipeException('the VM needs --firmware (e.g. /usr/share/OVMF/OVMF_CODE_4M.fd with --vars /usr/share/OVMF/OVMF_VARS_4M.fd)')
        def b = VmSpec.builder().firmware(firmware).vars(vars).uki(uki).kernel(kernel).initrd(initrd).cmdline(cmdline)
                .bootDisk(bootDisk).tpmState(tpmState).tee(tee).vtpm(vtpm)
        if (cpus != null) b.cpus(cpus)
        if (memory != null) b.memory(memory)
        disks.each { b.disk(it) }
        forwards.each { b.forward(it) }
        return b.build()
    }
}
