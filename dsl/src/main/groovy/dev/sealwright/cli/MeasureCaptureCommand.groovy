package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.InputFiles
import dev.sealwright.base.RecipeException
import dev.sealwright.image.kernel.DebianKernel
import dev.sealwright.measure.capture.CapturedProfile
import dev.sealwright.measure.capture.FwCfgCapture
import dev.sealwright.measure.tdx.TdxProfile
import dev.sealwright.tools.Tools
import dev.sealwright.vm.VmSpec
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable

/**
 * {@code sealwright measure capture}: boots the TD's VM shape (the ubuntu-24.04 TD topology: one
 * virtio-net at 00:01.0, --disks virtio disks behind root ports) on this host's own QEMU without a
 * TEE, reads the fw_cfg ACPI blobs and boot variables inside the guest ({@link FwCfgCapture}) and
 * writes a profile file for {@code measure tdx --profile FILE}.
 */
@CompileStatic
@Command(name = 'capture', mixinStandardHelpOptions = true,
        description = ['Capture the ACPI tables (fw_cfg etc/table-loader, etc/acpi/rsdp, etc/acpi/tables) and boot variables a host\'s own QEMU serves',
                'for a VM shape, by booting it (TCG or KVM, no TEE) with a capture initramfs; writes a profile file for measure tdx --profile FILE.',
                'A TD\'s tables can differ where the TEE changes them (interrupt overrides, trigger modes, S3/S4, where TDVF puts PCIEXBAR and the',
                '64-bit window): see docs/measure.md.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright measure capture --firmware /usr/share/ovmf/OVMF.fd --cpus 2 --memory 2G --disks 1 --out host.json',
                '  sealwright measure tdx --firmware OVMF.fd --kernel vmlinuz --cpus 2 --memory 2G --disks 1 --profile host.json'])
class MeasureCaptureCommand implements Callable<Integer> {
    @Option(names = '--qemu', paramLabel = 'BIN', description = 'qemu-system-x86_64 to capture from (default: the one on PATH)')
    String qemu = 'qemu-system-x86_64'

    @Option(names = '--qemu-data', paramLabel = 'DIR', description = 'extra firmware/ROM directory for that QEMU (-L), e.g. of a private prefix')
    Path qemuData

    @Option(names = '--machine', paramLabel = 'TYPE', description = 'machine type (default: pc-q35-MAJOR.MINOR of --qemu)')
    String machine

    @Option(names = '--accel', paramLabel = 'tcg|kvm', description = 'accelerator (default tcg)')
    String accel = 'tcg'

    @Option(names = '--firmware', required = true, paramLabel = 'F', description = 'OVMF: a combined image (-bios), or the pflash code file with --firmware-vars')
    Path firmware

    @Option(names = '--firmware-vars', paramLabel = 'V', description = 'pflash vars template (not written to)')
    Path firmwareVars

    @Option(names = '--cpus', paramLabel = 'N', description = 'vCPUs (default 2)')
    int cpus = 2

    @Option(names = '--memory', paramLabel = 'SIZE', description = 'RAM, e.g. 2G or 4096M (default 2G)')
    String memory = '2G'

    @Option(names = '--disks', paramLabel = 'N', description = 'virtio disks behind PCIe root ports (default 0)')
    int disks = 0

    @Option(names = '--base', paramLabel = 'P', description = 'named TDX profile for everything but the tables (default qemu-10)', completionCandidates = TdxProfileNames)
    String base = 'qemu-10'

    @Option(names = '--timeout', paramLabel = 'S', description = 'seconds the capture VM may take (default 300)')
    int timeout = 300

    @Option(names = '--out', required = true, paramLabel = 'FILE.json', description = 'profile file to write')
    Path out

    @Mixin
    ForceOption overwrite

    @Mixin
    ProgressOption progress

    @Override
    Integer call() {
        overwrite.refuseExisting(out)
        TdxProfile.named(base)
        InputFiles.requireFile(firmware, '--firmware')
        if (firmwareVars != null) InputFiles.requireFile(firmwareVars, '--firmware-vars')
        if (!(accel in ['tcg', 'kvm'])) throw new UsageException("--accel must be tcg or kvm, not '${accel}'")
        long mib = VmSpec.parseMemory(memory)
        def tools = new Tools()
        Path qemuBin = qemu.contains('/') ? Path.of(qemu) : tools.withSearchPath(System.getenv('PATH')).locate(qemu)
                .orElseThrow { new RecipeException("--qemu ${qemu}: not found on PATH") }
        String version = qemuVersion(qemuBin)
        String type = machine ?: defaultMachine(version)
        def kernel = new DebianKernel(tools, DebianKernel.defaultCacheRoot(), { String s -> System.err.println(s) }).resolveAndFetch(DebianKernel.DEFAULT_PACKAGE, progress.reporter('kernel download'))
        Path work = Files.createTempDirectory('sealwright-capture')
        try {
            def r = FwCfgCapture.run(new FwCfgCapture.Request(qemuBin, qemuData, firmware, firmwareVars, type, accel, cpus, mib, disks,
                    kernel.vmlinuz(), kernel.modulesDir(), tools.find('busybox'), work, Duration.ofSeconds(timeout)))
            def profile = new CapturedProfile(base, version, type, HexFormat.of().formatHex(InputFiles.digest(firmware, 'SHA-256')), cpus, mib, disks,
                    r.tableLoader(), r.rsdp(), r.tables(), r.efiVariables())
            AtomicFiles.write(out, profile.toJson().getBytes(StandardCharsets.UTF_8))
            println "captured ${type} on ${version}: etc/table-loader ${r.tableLoader().length} B, etc/acpi/rsdp ${r.rsdp().length} B, etc/acpi/tables ${r.tables().length} B, ${r.efiVariables().size()} boot variables -> ${out}"
        } finally {
            AtomicFiles.deleteTree(work)
        }
        Main.OK
    }

    private static String qemuVersion(Path bin) {
        def p = new ProcessBuilder(bin.toString(), '--version').redirectErrorStream(true).start()
        String text = new String(p.inputStream.readAllBytes(), StandardCharsets.UTF_8)
        if (p.waitFor() != 0 || !text.startsWith('QEMU emulator version ')) throw new RecipeException("--qemu ${bin}: --version did not print a QEMU version")
        text.lines().findFirst().get().strip()
    }

    private static String defaultMachine(String versionLine) {
        def m = versionLine =~ /version (\d+)\.(\d+)/
        if (!m.find()) throw new RecipeException("cannot read a version from '${versionLine}'; pass --machine")
        "pc-q35-${m.group(1)}.${m.group(2)}"
    }
}
