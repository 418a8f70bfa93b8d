package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.InputFiles
import dev.sealwright.base.RecipeException
import dev.sealwright.image.kernel.DebianKernel
import dev.sealwright.measure.capture.CapturedProfile
import dev.sealwright.measure.capture.CapturedTpmProfile
import dev.sealwright.measure.capture.FwCfgCapture
import dev.sealwright.measure.capture.TpmLogCapture
import dev.sealwright.measure.tdx.TdxProfile
import dev.sealwright.measure.vtpm.VtpmVariables
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

    @Option(names = '--cpus', paramLabel = 'N', description = 'vCPUs (default 2; with --vtpm launch\'s, 1)')
    Integer cpus

    @Option(names = '--memory', paramLabel = 'SIZE', description = 'RAM, e.g. 2G or 4096M (default 2G; with --vtpm launch\'s, 512M)')
    String memory

    @Option(names = '--vtpm', description = 'capture PCR 0 and 1 instead: boot launch\'s vTPM shape (pflash --firmware + --firmware-vars, swtpm) and keep the firmware\'s PCR 0/1 events of the guest\'s TPM log, for measure vtpm --profile FILE')
    boolean vtpm

    @Option(names = '--boot', paramLabel = 'esp|direct', description = 'with --vtpm: boot a UKI from the ESP launch writes (default; what measure vtpm predicts) or the kernel directly')
    String boot = 'esp'

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
        if (vtpm) checkVtpmOptions()
        else if (boot != 'esp') throw new UsageException('--boot applies to --vtpm only')
        long mib = VmSpec.parseMemory(memory ?: (vtpm ? VmSpec.DEFAULT_MEMORY : '2G'))
        int n = cpus ?: (vtpm ? VmSpec.DEFAULT_CPUS : 2)
        def tools = new Tools()
        Path qemuBin = qemu.contains('/') ? Path.of(qemu) : tools.withSearchPath(System.getenv('PATH')).locate(qemu)
                .orElseThrow { new RecipeException("--qemu ${qemu}: not found on PATH") }
        String version = qemuVersion(qemuBin)
        def kernel = new DebianKernel(tools, DebianKernel.defaultCacheRoot(), { String s -> System.err.println(s) }).resolveAndFetch(DebianKernel.DEFAULT_PACKAGE, progress.reporter('kernel download'))
        Path work = Files.createTempDirectory('sealwright-capture')
        try {
            if (vtpm) return captureVtpm(tools, qemuBin, version, n, mib, kernel.vmlinuz(), work)
            String type = machine ?: defaultMachine(version)
            def r = FwCfgCapture.run(new FwCfgCapture.Request(qemuBin, qemuData, firmware, firmwareVars, type, accel, n, mib, disks,
                    kernel.vmlinuz(), kernel.modulesDir(), tools.find('busybox'), work, Duration.ofSeconds(timeout)))
            def profile = new CapturedProfile(base, version, type, HexFormat.of().formatHex(InputFiles.digest(firmware, 'SHA-256')), n, mib, disks,
                    r.tableLoader(), r.rsdp(), r.tables(), r.efiVariables())
            AtomicFiles.write(out, profile.toJson().getBytes(StandardCharsets.UTF_8))
            println "captured ${type} on ${version}: etc/table-loader ${r.tableLoader().length} B, etc/acpi/rsdp ${r.rsdp().length} B, etc/acpi/tables ${r.tables().length} B, ${r.efiVariables().size()} boot variables -> ${out}"
        } finally {
            AtomicFiles.deleteTree(work)
        }
        Main.OK
    }

    /** --vtpm boots launch's own vTPM VM (its machine, devices and accelerator): the TD-shape options do not apply. */
    private void checkVtpmOptions() {
        if (firmwareVars == null) throw new UsageException('--vtpm needs --firmware-vars (the vTPM shape boots OVMF from pflash, as launch and measure vtpm do)')
        if (!(boot in CapturedTpmProfile.BOOTS)) throw new UsageException("--boot must be esp or direct, not '${boot}'")
        if (qemuData != null || machine != null || disks != 0 || accel != 'tcg')
            throw new UsageException('--vtpm boots launch\'s vTPM VM: --qemu-data, --machine, --disks and --accel do not apply')
        if (boot == 'esp' && VtpmVariables.fromVarsFile(firmwareVars).enforcedBy(firmware))
            throw new RecipeException("--firmware-vars ${firmwareVars}: enrolls a PK and ${firmware.fileName} supports Secure Boot, so OVMF enforces it and would not start the capture's unsigned UKI from the ESP; --boot direct captures this store's PCR 0 (an ESP boot's too), not an ESP boot's PCR 1")
    }

    private int captureVtpm(Tools tools, Path qemuBin, String version, int n, long mib, Path vmlinuz, Path work) {
        def search = tools.withSearchPath(qemuBin.toAbsolutePath().parent.toString() + File.pathSeparator + System.getenv('PATH'))
        def r = TpmLogCapture.run(new TpmLogCapture.Request(search, firmware, firmwareVars, n, mib, boot == 'esp', vmlinuz,
                boot == 'esp' ? tools.find('systemd-stub') : null, tools.find('busybox'), work, Duration.ofSeconds(timeout)))
        def profile = new CapturedTpmProfile(version, HexFormat.of().formatHex(InputFiles.digest(firmware, 'SHA-256')),
                HexFormat.of().formatHex(InputFiles.digest(firmwareVars, 'SHA-256')), n, mib, boot,
                CapturedTpmProfile.pcr01(r.log(), 'the capture guest\'s TPM log'))
        AtomicFiles.write(out, profile.toJson().getBytes(StandardCharsets.UTF_8))
        println "captured PCR 0/1 of a ${boot} boot on ${version} (${n} vCPUs, ${mib} MiB, vTPM): ${profile.eventLog(out.toString()).events().size()} events -> ${out}"
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
