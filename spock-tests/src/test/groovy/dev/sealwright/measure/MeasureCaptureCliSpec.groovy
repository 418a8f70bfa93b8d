package dev.sealwright.measure

import dev.sealwright.measure.acpi.AcpiBuild
import dev.sealwright.measure.acpi.AcpiMachine
import dev.sealwright.measure.acpi.QemuAcpiModel
import dev.sealwright.measure.capture.CapturedProfile
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * {@code sealwright measure capture} on QEMU 10.0.2 (TCG, OVMF 2025.02 pflash; one boot of about
 * 30 s): the profile file holds what QEMU served (equal to the 10.0 model, itself proven by
 * Qemu10AcpiBootSpec) and OVMF's boot variables; {@code measure tdx --profile FILE} takes its tables
 * for that shape only.
 */
class MeasureCaptureCliSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared Path profile
    @Shared Cli.Result captured

    def setupSpec() {
        Repo.requireTool('busybox')
        Kernels.debian()
        profile = dir.resolve('q10.json')
        captured = Cli.run('measure', 'capture', '--qemu', Stack.qemu10Bin().resolve('qemu-system-x86_64').toString(),
                '--qemu-data', Stack.QEMU10.resolve('usr/share/qemu').toString(), '--firmware', Stack.ovmf2025('OVMF_CODE_4M.fd').toString(),
                '--firmware-vars', Stack.ovmf2025('OVMF_VARS_4M.fd').toString(), '--cpus', '2', '--memory', '2G', '--disks', '0', '--out', profile.toString())
    }

    def "the profile file holds QEMU 10.0.2's fw_cfg blobs for the shape, and OVMF's BootOrder"() {
        expect:
        captured.exitCode == 0
        captured.out.contains('captured pc-q35-10.0 on QEMU emulator version 10.0.2')

        when:
        def p = CapturedProfile.read(profile)
        def model = AcpiBuild.build(new AcpiMachine(2, 2048L << 20, 0), QemuAcpiModel.QEMU_10_0_TCG)

        then:
        p.qemu().startsWith('QEMU emulator version 10.0.2')
        p.machine() == 'pc-q35-10.0'
        [p.cpus(), p.memoryMiB(), p.disks()] == [2, 2048L, 0]
        p.tables() == model.tables()
        p.rsdp() == model.rsdp()
        p.tableLoader() == model.tableLoader()
        p.efiVariables().keySet().any { it.startsWith('BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c') }
    }

    def "an existing profile file is kept without --force"() {
        when:
        def r = Cli.run('measure', 'capture', '--firmware', '/usr/share/ovmf/OVMF.fd', '--out', profile.toString())

        then:
        r.exitCode == 1
        r.err.trim() == "sealwright: ${profile}: already exists; not overwriting it (add --force to replace it)".toString() || r.err.contains('already exists')
        r.err.trim().lines().count() == 1
    }

    def "measure tdx --profile FILE measures the captured tables into RTMR0, for the captured shape only"() {
        given:
        String sha384 = HexFormat.of().formatHex(MessageDigest.getInstance('SHA-384').digest(CapturedProfile.read(profile).tables()))

        when:
        def ok = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--cpus', '2', '--memory', '2G', '--profile', profile.toString(), '--json')
        def other = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--cpus', '4', '--memory', '2G', '--profile', profile.toString())

        then:
        ok.exitCode == 0
        ok.out.contains(sha384)
        !ok.out.contains('"rtmr0" : null')
        other.exitCode == 1
        other.err.contains('tables captured for 2 vCPUs, 2048 MiB, 0 disks; the VM has 4 vCPUs, 2048 MiB, 0 disks')
    }

    def "a --profile FILE that is not a captured profile, or is missing, or comes with --acpi, is refused in one line (a usage error adds the --help hint)"() {
        given:
        def bad = dir.resolve('bad.json')
        Files.writeString(bad, '{"format": "something-else"}')
        def tables = Files.createDirectories(dir.resolve('acpi'))

        when:
        def notProfile = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--profile', bad.toString())
        def missing = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--profile', dir.resolve('none.json').toString())
        def both = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--profile', profile.toString(), '--acpi', tables.toString())

        then:
        notProfile.exitCode == 1
        notProfile.err.contains("${bad}: not a captured profile (format is not sealwright-captured-profile/1)")
        missing.exitCode == 1
        missing.err.contains('none.json')
        both.exitCode == 2
        both.err.contains('--acpi and a captured --profile FILE both give the ACPI tables')
        [notProfile, missing].every { it.err.trim().lines().count() == 1 }
        both.err.trim().lines().toList() == ['sealwright: --acpi and a captured --profile FILE both give the ACPI tables; pass one', 'try: sealwright measure tdx --help']
    }
}
