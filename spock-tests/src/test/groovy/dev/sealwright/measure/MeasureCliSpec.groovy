package dev.sealwright.measure

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The measure / eventlog verbs, end to end in-process, on fixture logs and Debian's OVMF.fd. */
class MeasureCliSpec extends Specification {
    @TempDir
    Path dir

    static final String DSTACK = 'eventlog/dstack/ccel.bin'
    static final String OVMF = '/usr/share/ovmf/OVMF.fd'

    def setup() {
        Repo.requireTool('ovmf-combined')
    }

    def "eventlog replay prints the RTMRs the fixtures README states (E-10)"() {
        when:
        def r = Cli.run('eventlog', 'replay', Repo.fixture(DSTACK).toString())

        then:
        r.exitCode == 0
        r.out.contains('rtmr0  274c2344116db7c663470693b5ba62b8621eac28cb41d2f816ddf188f9f423f900a1c44d32386fd3c993dc814e62af9d')
        r.out.contains('rtmr1  bdcf4ee0f7fdfe7c73fbb19ded73193aee23a6726b86d3b282ea097cf4c9ed7a0db21b5c1ccd513e410d90e310836b26')
    }

    def "eventlog show prints a CCEL ACPI table"() {
        when:
        def r = Cli.run('eventlog', 'show', Repo.fixture('eventlog/go-eventlog/cos-113-intel-tdx.table.bin').toString())

        then:
        r.exitCode == 0
        r.out.contains('"cc_type" : "TDX"')
        r.out.contains('"laml" : 262144')
        r.out.contains('"lasa" : "0xbedbf000"')
    }

    def "measure replay is the same verb"() {
        expect:
        Cli.run('measure', 'replay', '--json', Repo.fixture(DSTACK).toString()).out.contains('"rtmr0" : "274c2344')
    }

    def "eventlog show prints every event as JSON; diff of the log against its own JSON is empty"() {
        when:
        def show = Cli.run('eventlog', 'show', Repo.fixture(DSTACK).toString())
        def json = dir.resolve('log.json')
        Files.writeString(json, show.out)
        def doc = new ObjectMapper().readValue(show.out, Map)
        def diff = Cli.run('eventlog', 'diff', Repo.fixture(DSTACK).toString(), json.toString())

        then:
        show.exitCode == 0
        doc.kind == 'cc'
        doc.events.size() == 18
        doc.events[1].digests.sha384.startsWith('344bc51c')
        diff.exitCode == 0
        diff.out.contains('no differences')
    }

    def "measure tdx --json: MRTD of Debian OVMF.fd, registers it cannot compute are null with the reason, events listed"() {
        when:
        def r = Cli.run('measure', 'tdx', '--firmware', OVMF, '--memory', '8G', '--profile', 'ubuntu-24.04', '--json')
        def doc = new ObjectMapper().readValue(r.out, Map)

        then:
        r.exitCode == 0
        doc.mrtd == 'acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1'
        doc.rtmr0 ==~ /[0-9a-f]{96}/   // profile ubuntu-24.04 builds the ACPI tables (AcpiBuildSpec checks the value against quex)
        doc.rtmr1 == null
        doc.missing.rtmr1[0].contains('no kernel or UKI given')
        doc.rtmr3 == '00' * 48
        doc.events[0].type == 'EV_EFI_HANDOFF_TABLES2'
        doc.events[0].digests.sha384 == '2e070cda358b5aa00f27cca25c47381bb564f4be3a84d059805a73cbbde764ed8341f7e09915b5e7b370f9c08a743fbd'
    }

    static final String STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub'

    def "the text output says plainly what this build does not compute; --kernel-patch overrides the profile's QEMU patching of a non-Linux image"() {
        when:
        def r = Cli.run('measure', 'tdx', '--firmware', OVMF, '--kernel', STUB, '--profile', 'ubuntu-24.04')
        def linuxOnly = Cli.run('measure', 'tdx', '--firmware', OVMF, '--kernel', STUB, '--profile', 'ubuntu-24.04', '--kernel-patch', 'linux', '--json')
        def none = Cli.run('measure', 'tdx', '--firmware', OVMF, '--kernel', STUB, '--profile', 'qemu-10', '--json')
        def all = Cli.run('measure', 'tdx', '--firmware', OVMF, '--kernel', STUB, '--profile', 'ubuntu-24.04', '--json')
        def bad = Cli.run('measure', 'tdx', '--firmware', OVMF, '--kernel', STUB, '--kernel-patch', 'some')

        then:
        r.exitCode == 0
        r.out.contains('mrtd     acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1')
        r.out =~ /rtmr0    [0-9a-f]{96}/
        r.out =~ /rtmr1    [0-9a-f]{96}/
        and: 'the image event of a QEMU that patches only Linux images is the file as built, as with no patching'
        def image = { String out -> new ObjectMapper().readValue(out, Map).events.find { it.type == 'EV_EFI_BOOT_SERVICES_APPLICATION' } }
        image(linuxOnly.out).digests == image(none.out).digests
        image(all.out).digests != image(none.out).digests
        image(all.out).description.contains("QEMU's pre-2024 header patch at 0x20..0x23")
        bad.exitCode == 1 && bad.err.contains("--kernel-patch must be all, linux or none, not 'some'")
    }

    def "with qemu-10 (no header patching) RTMR1 is computed: image Authenticode, Calling EFI Application, separator, ExitBootServices x2"() {
        when:
        def r = Cli.run('measure', 'tdx', '--firmware', OVMF, '--kernel', STUB, '--profile', 'qemu-10', '--json')
        def doc = new ObjectMapper().readValue(r.out, Map)
        def rtmr1 = doc.events.findAll { it.register == 'RTMR1' }

        then:
        r.exitCode == 0
        doc.mrtd == '4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47'
        doc.rtmr1 ==~ /[0-9a-f]{96}/
        rtmr1*.type == ['EV_EFI_BOOT_SERVICES_APPLICATION', 'EV_EFI_ACTION', 'EV_SEPARATOR', 'EV_EFI_ACTION', 'EV_EFI_ACTION']
        and: 'the action digests are the ones real TDVF logged (dstack CCEL, same layout)'
        def logged = new ObjectMapper().readValue(Cli.run('eventlog', 'show', Repo.fixture(DSTACK).toString()).out, Map)
                .events.findAll { it.register == 'RTMR1' }
        rtmr1.drop(1)*.digests == logged.drop(1)*.digests
    }

    def "--eventlog writes the same bytes twice, and eventlog diff against a real log names the first differing event per register"() {
        given:
        def a = dir.resolve('a.json')
        def b = dir.resolve('b.json')

        when:
        [a, b].each { assert Cli.run('measure', 'tdx', '--firmware', OVMF, '--profile', 'dstack', '--eventlog', it.toString()).exitCode == 0 }
        def diff = Cli.run('eventlog', 'diff', Repo.fixture(DSTACK).toString(), a.toString())

        then:
        Files.readAllBytes(a) == Files.readAllBytes(b)
        diff.exitCode == 1
        diff.out.contains('RTMR0 event 1:')
        diff.out.contains('ccel.bin: EV_EFI_HANDOFF_TABLES2 2b630fa1d8fa9b6e8c6507d2256803ed227888f7d1f62ca5cfbddfe495338b1c6a0fc339ea64700f0835c0897a662789')
        diff.out.contains('a.json: EV_EFI_HANDOFF_TABLES2')
        diff.out.contains('RTMR1 event 1:')
    }

    def "bad inputs: OVMF_CODE.fd alone, a missing file, a bad size, an unknown profile"() {
        expect:
        def r = Cli.run(args as String[])
        r.exitCode == code
        r.err.contains(message)

        where:
        args                                                                              | code | message
        ['measure', 'tdx', '--firmware', '/usr/share/OVMF/OVMF_CODE.fd']                  | 1    | 'not OVMF_CODE.fd alone'
        ['measure', 'tdx', '--firmware', '/nonexistent.fd']                               | 1    | '/nonexistent.fd: no such file'
        ['measure', 'tdx', '--firmware', OVMF, '--memory', 'lots']                        | 2    | "sealwright: --memory: memory 'lots'"
        ['measure', 'tdx', '--firmware', OVMF, '--profile', 'nope']                       | 1    | "unknown TDX profile 'nope'"
        ['measure', 'tdx', '--firmware', OVMF, '--uki', OVMF, '--kernel', OVMF]           | 1    | 'vm: give either a kernel (direct boot) or a uki (ESP boot), not both'
        ['measure', 'tdx', '--firmware', OVMF, '--uki', STUB]                             | 1    | 'not a UKI (no .linux section)'
        ['measure', 'tdx', '--firmware', OVMF, '--vars', OVMF, '--kernel', STUB]          | 1    | 'vm: tee tdx loads the firmware with -bios (no pflash); drop vars'
        ['measure', 'vtpm', '--firmware-code', OVMF, '--firmware-vars', '/nonexistent.fd', '--uki', OVMF] | 1 | '/nonexistent.fd: no such file'
        ['eventlog', 'replay', '/usr/share/ovmf/OVMF.fd']                                 | 1    | 'not a valid TCG2 event log'
    }

    def "--acpi DIR: the three fw_cfg blobs are measured raw in loader, rsdp, tables order (sha384sum) and RTMR0 gets a value"() {
        given:
        def acpi = Files.createDirectories(dir.resolve('acpi'))
        Files.write(acpi.resolve('table-loader'), new byte[4096])
        Files.writeString(acpi.resolve('rsdp'), 'RSD PTR ' + 'x' * 12)
        Files.write(acpi.resolve('tables'), (0..<131072).collect { (byte) it } as byte[])

        when:
        def r = Cli.run('measure', 'tdx', '--firmware', OVMF, '--profile', 'dstack', '--acpi', acpi.toString(), '--json')
        def doc = new ObjectMapper().readValue(r.out, Map)
        def events = doc.events.findAll { it.type == 'EV_PLATFORM_CONFIG_FLAGS' }

        then:
        r.exitCode == 0
        events*.digests*.sha384 == ['table-loader', 'rsdp', 'tables'].collect { TdxMeasureSpec.sha384sum(acpi.resolve(it)) }
        events*.description == ['ACPI DATA'] * 3
        doc.rtmr0 ==~ /[0-9a-f]{96}/
        !doc.missing.containsKey('rtmr0')
    }

    def "measure profiles lists every profile with its choices"() {
        when:
        def r = Cli.run('measure', 'profiles')

        then:
        r.exitCode == 0
        ['ubuntu-24.04', 'ubuntu-25.04', 'qemu-10', 'dstack'].every { r.out.contains(it + ':') }
        r.out.contains('MRTD page order:      TWO_PASS')
    }
}
