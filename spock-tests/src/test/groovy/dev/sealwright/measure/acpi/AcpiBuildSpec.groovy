package dev.sealwright.measure.acpi

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification

import java.nio.file.Files
import java.security.MessageDigest

/**
 * The QEMU 8.2 q35 ACPI build of quex's TD shape against the peer: quex's published tables
 * (../shared/fixtures/tdx/quex-acpi, byte for byte), the RTMR0 event digests and RTMR0 its README
 * states, and quex's getAcpi run under node over a grid of 2592 shapes (resource acpi/quex-grid.txt,
 * produced by bench/quex-acpi-grid.mjs from td-report-web d857138, unmodified).
 */
class AcpiBuildSpec extends Specification {
    static final QemuAcpiModel V82 = QemuAcpiModel.QEMU_8_2_TDX

    static String sha(String alg, byte[] b) {
        HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(b))
    }

    def "etc/acpi/tables equals quex's published tables byte for byte: #cpus vCPU, #mib MiB, #disks disks"() {
        given:
        byte[] expected = Files.readAllBytes(Repo.fixture("tdx/quex-acpi/${file}"))

        when:
        def f = AcpiBuild.build(new AcpiMachine(cpus, (mib as long) << 20, disks), V82)

        then:
        f.tables().length == 131072
        f.tables() == expected

        where:
        cpus | mib   | disks | file
        2    | 2048  | 0     | 'tables-2cpu-2048mib-0disk.bin'
        8    | 16384 | 3     | 'tables-8cpu-16384mib-3disk.bin'
    }

    def "the table loader, RSDP and tables digests equal quex's RTMR0 events (README of the fixtures): #cpus vCPU"() {
        when:
        def f = AcpiBuild.build(new AcpiMachine(cpus, (mib as long) << 20, disks), V82)

        then:
        sha('SHA-384', f.tableLoader()) == loader
        sha('SHA-384', f.rsdp()) == rsdp
        sha('SHA-384', f.tables()) == tables
        f.tableLoader().length == 4096
        f.rsdp().length == 20

        where:
        cpus | mib   | disks | loader                                                                                             | rsdp                                                                                               | tables
        2    | 2048  | 0     | '811490ce793d4c3ace6b62e30fd3df22b1d2e809e34a1f10f3185df3d98fdc15d044f3b373c70b86629186e1e3e1c9af' | '1ebc56ea1a55f18717ad6dabde363a463346fdd1430a9dc356017dcdbcff034ee5ddeb10104c603d8bcb13c49fcca6ce' | '32de6c1b911242e32f5f81519fe60c82f7e1bbfe86e890dfa873fe2f044cf460a77920763e6c75bde85df52ad00477eb'
        8    | 16384 | 3     | '23c0fb16c7a99c3a637cf0b7b98d055463503eaa296ef0c6357331458b39d751cc65e81ce02ac6da3546b1ad8e3a4785' | 'c73f71b346601251ae72e9981979fa31069d040571d32cf30c5013dd72e76b0864ed08e84b0d4c84dcfe426b19be2559' | '5b7323eba128f10dcf0944cf8adac509055d29c3c6cbfc8685bdafe3d0d89b93b01684f7e15a0f688a1a48df946f058c'
    }

    def "quex's getAcpi over 2592 shapes (vCPUs 1..128, 512 MiB..64 GiB, 0..8 disks): every one equal"() {
        given:
        def lines = getClass().getResource('/acpi/quex-grid.txt').readLines().findAll { !it.startsWith('#') }
        def differ = []

        when:
        for (String line : lines) {
            def (c, m, d, h) = line.split(' ')
            def f = AcpiBuild.build(new AcpiMachine(c as int, (m as long) << 20, d as int), V82)
            if (sha('SHA-256', f.tables()).substring(0, 16) != h) differ << line
        }

        then:
        lines.size() == 2592
        differ == []
    }

    def "at exactly 2816 MiB QEMU's q35 split puts 2 GiB below 4 GiB (pc_q35_init: ram_size >= 0xb0000000), where quex keeps 2816 MiB"() {
        expect:
        new AcpiMachine(1, 2816L << 20, 0).belowFourGiB() == 0x8000_0000L
        new AcpiMachine(1, 2815L << 20, 0).belowFourGiB() == 2815L << 20
    }

    def "shapes outside the model are refused with one line: #what"() {
        when:
        new AcpiMachine(cpus, 1L << 30, disks)

        then:
        def e = thrown(RecipeException)
        e.message == message

        where:
        what         | cpus | disks | message
        '256 vCPUs'  | 256  | 0     | 'acpi: cpus 256 is not in 1..255 (x2APIC tables are not modelled)'
        '9 disks'    | 1    | 9     | 'acpi: disks 9 is not in 0..8'
    }

    def "measure tdx --profile ubuntu-24.04 without --acpi: RTMR0 equals quex's (#cpus vCPU, #memory, #disks disks; SecureBoot measured as quex does)"() {
        given:
        Repo.requireTool('ovmf-combined')

        when:
        def r = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--cpus', "$cpus", '--memory', memory,
                '--disks', "$disks", '--profile', 'ubuntu-24.04', '--secure-boot', 'absent')

        then:
        r.exitCode == 0
        r.out.contains("rtmr0    $rtmr0")

        where:
        cpus | memory | disks | rtmr0
        2    | '2G'   | 0     | 'd68cacbf3b871a86e2de0bce980f8b99edabf2ff4c7e937baaaf3cadd91c43bd31e4b1543f6b8613d3bfd36318aa51bb'
        8    | '16G'  | 3     | '15ce7b042051e2f2d9851f204497771ee340bcd4c866bbc08e2f70c50398f727d2156f8ff303952d4d038551fba9b6af'
    }

    def "a profile whose QEMU ACPI build is not modelled still says RTMR0 is missing and why"() {
        given:
        Repo.requireTool('ovmf-combined')

        when:
        def r = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--profile', 'qemu-10')

        then:
        r.exitCode == 0
        r.out.contains('rtmr0    not computed: ACPI tables (profile qemu-10 has no modelled TD ACPI build: QEMU 9.2/10.0 are modelled for non-TD TCG guests only')
        r.out.contains('(tdx-guest forces pic=off and smm=off; the interrupt model; TDVF\'s PCIEXBAR and 64-bit aperture) is unproven without a TD; pass --acpi DIR')
    }
}
