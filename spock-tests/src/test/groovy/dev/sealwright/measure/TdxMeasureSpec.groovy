package dev.sealwright.measure

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.event.BootEvent
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.EventType
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.tdx.MrtdCalculator
import dev.sealwright.measure.tdx.TdHob
import dev.sealwright.measure.tdx.TdvfEvents
import dev.sealwright.measure.tdx.TdvfMetadata
import dev.sealwright.measure.tdx.TdvfSection
import dev.sealwright.measure.tdx.TdxInputs
import dev.sealwright.measure.tdx.TdxPrediction
import dev.sealwright.measure.tdx.TdxProfile
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * TDVF metadata, MRTD, TD HOB and the firmware-side RTMR events, checked against Debian's ovmf
 * package, coreutils' sha384sum/iconv and the events logged in the fixture CCELs (never against
 * values produced by this code).
 */
class TdxMeasureSpec extends Specification {
    static final Path OVMF = Path.of('/usr/share/ovmf/OVMF.fd')
    static final Path OVMF_CODE = Path.of('/usr/share/OVMF/OVMF_CODE.fd')
    static final Path OVMF_VARS = Path.of('/usr/share/OVMF/OVMF_VARS.fd')
    static final Path STUB = Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')

    @Shared byte[] fw

    def setupSpec() {
        Repo.requireTool('ovmf-combined')
        fw = Files.readAllBytes(OVMF)
    }

    static String hex(byte[] b) { HexFormat.of().formatHex(b) }

    static String sha384sum(Path file) {
        def p = ['sha384sum', file.toString()].execute()
        def out = p.text
        assert p.waitFor() == 0
        out.split(' ')[0]
    }

    def "Debian's combined OVMF.fd is the 2 MiB image the measurement spec describes"() {
        expect: 'sha256 from ../shared/specs/tdx-measurement.md §1.1 / fixtures README §3'
        hex(java.security.MessageDigest.getInstance('SHA-256').digest(fw)) == '7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773'
    }

    def "TDVF metadata of Debian OVMF.fd: descriptor at 0x1FF7C0 and the six sections of spec §1.1"() {
        when:
        def md = TdvfMetadata.parse(fw, 'OVMF.fd')

        then:
        md.descriptorOffset() == 0x1FF7C0
        md.sections().collect { [it.type(), it.dataOffset(), it.rawDataSize(), it.memoryAddress(), it.memoryDataSize(), it.attributes()] } == [
                [TdvfSection.Type.BFV, 0x20000, 0x1E0000, 0xFFE20000L, 0x1E0000, 1],
                [TdvfSection.Type.CFV, 0, 0x20000, 0xFFE00000L, 0x20000, 0],
                [TdvfSection.Type.TEMP_MEM, 0, 0, 0x810000, 0x10000, 0],
                [TdvfSection.Type.TEMP_MEM, 0, 0, 0x80B000, 0x2000, 0],
                [TdvfSection.Type.TD_HOB, 0, 0, 0x809000, 0x2000, 0],
                [TdvfSection.Type.TEMP_MEM, 0, 0, 0x800000, 0x6000, 0]]
    }

    def "MRTD of Debian OVMF.fd in both page orders equals the spec's independently computed values (§1.2)"() {
        given:
        def md = TdvfMetadata.parse(fw, 'OVMF.fd')

        expect: 'cross-implementation values (spec §1.2), not hardware ground truth'
        hex(MrtdCalculator.compute(fw, md, MrtdCalculator.PageOrder.SINGLE_PASS)) ==
                '4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47'
        hex(MrtdCalculator.compute(fw, md, MrtdCalculator.PageOrder.TWO_PASS)) ==
                'acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1'
        and: 'reproducible'
        MrtdCalculator.compute(fw, md, MrtdCalculator.PageOrder.TWO_PASS) == MrtdCalculator.compute(fw, md, MrtdCalculator.PageOrder.TWO_PASS)
    }

    def "OVMF_CODE.fd alone is refused: its metadata describes the combined image"() {
        when:
        TdvfMetadata.parse(Files.readAllBytes(OVMF_CODE), 'OVMF_CODE.fd')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('OVMF_CODE.fd: ')
        e.message.contains('combined image (OVMF.fd = VARS + CODE)')
    }

    def "truncated or corrupted firmware gives one clear line"() {
        when:
        TdvfMetadata.parse(damaged(fw, damage), 'bad.fd')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('bad.fd: ')
        e.message.contains(reason)
        !e.message.contains('\n')

        where:
        damage        | reason
        'truncated'   | 'no OVMF GUIDed table footer'
        'empty'       | 'no OVMF GUIDed table footer'
        'signature'   | 'no "TDVF" signature'
        'count'       | 'declares 200 sections'
        'misaligned'  | 'not 4 KiB aligned'
        'offset'      | 'points outside the image'
    }

    static byte[] damaged(byte[] good, String how) {
        byte[] c = good.clone()
        int desc = 0x1FF7C0
        switch (how) {
            case 'truncated': return Arrays.copyOf(good, good.length - 0x1000)
            case 'empty': return new byte[0]
            case 'signature': c[desc] = (byte) 0x58; return c
            case 'count': c[desc + 12] = (byte) 200; return c
            case 'misaligned': c[desc + 16 + 8] = (byte) 0x10; return c   // BFV GPA
            case 'offset':   // the u32 distance-from-end that ends the TDX metadata offset entry: [data][u16 len][GUID e47a6535-…]
                byte[] guid = HexFormat.of().parseHex('35657ae44a989847865e4685a7bf8ec2')
                int g = (good.length - 0x200..<good.length - 16).find { i -> (0..15).every { good[i + it] == guid[it] } }
                int at = g - 2 - 4
                assert java.nio.ByteBuffer.wrap(good, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() == 0x840
                c[at + 2] = (byte) 0x7F; return c
        }
        throw new IllegalArgumentException(how)
    }

    def "the CFV event measures the variable store the image ships: digest = sha384sum of Debian's OVMF_VARS.fd"() {
        given:
        Repo.requireTool('sha256sum')   // coreutils
        def md = TdvfMetadata.parse(fw, 'OVMF.fd')

        expect:
        TdvfEvents.cfv(fw, md).digestHex(HashAlg.SHA384) == sha384sum(OVMF_VARS)
    }

    static List<BootEvent> logged(String fixture) { EventLogFiles.read(Repo.fixture(fixture), null).events() }

    def "the TD HOB for 8 GiB built from the firmware's sections equals the HOB event of the Intel 8 GiB CCEL (digest and data)"() {
        given:
        def md = TdvfMetadata.parse(fw, 'OVMF.fd')
        def hob = logged('eventlog/go-eventlog/CCEL_unpadded.data.bin')[0]

        when:
        def predicted = TdvfEvents.tdHob(md, 8L << 30)

        then:
        hob.type() == EventType.EV_EFI_HANDOFF_TABLES2
        predicted.digestHex(HashAlg.SHA384) == hob.digestHex(HashAlg.SHA384)
        predicted.data() == hob.data()
        and: 'a different memory size gives a different HOB'
        TdvfEvents.tdHob(md, 4L << 30).digestHex(HashAlg.SHA384) != hob.digestHex(HashAlg.SHA384)
    }

    /** type, digest and data of the events a prediction can make without ACPI blobs, the CFV of the same firmware or the kernel. */
    static List<List<Object>> comparable(List<BootEvent> events) {
        events.findAll {
            it.type() != EventType.EV_PLATFORM_CONFIG_FLAGS && it.type() != EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2 &&
                    it.type() != EventType.EV_EFI_BOOT_SERVICES_APPLICATION && it.type() != EventType.EV_EVENT_TAG &&
                    it.type() != EventType.EV_EFI_HANDOFF_TABLES2
        }.collect { [it.index(), it.type(), it.digestHex(HashAlg.SHA384), hex(it.data())] }
    }

    def "predicted firmware events equal the logged ones, in order per register: #profile against #fixture"() {
        given:
        def inputs = new TdxInputs(fw, 'OVMF.fd', 8L << 30, 1, null, null, null, false, null, '', TdxProfile.named(profile), null)

        when:
        def prediction = TdxPrediction.predict(inputs)
        def log = logged(fixture)

        then: 'variables, separators, boot variables and EFI actions match digest and data, register by register'
        [1L, 2L].every { idx -> comparable(prediction.events().findAll { it.index() == idx }) == comparable(log.findAll { it.index() == idx }) }
        and: 'the same number of events per register as the log once the 3 ACPI events and the kernel event are added'
        prediction.events().count { it.index() == 1 } + 3 == log.count { it.index() == 1 }
        prediction.events().count { it.index() == 2 } + 1 == log.count { it.index() == 2 }

        where:
        profile        | fixture
        'ubuntu-24.04' | 'eventlog/go-eventlog/CCEL_unpadded.data.bin'   // SecureBoot=00, separator layout before stable202411
        'dstack'       | 'eventlog/dstack/ccel.bin'                      // SecureBoot absent, new separator layout
    }

    def "with the old layout the ReadyToBoot separator is in RTMR0; with the new one in RTMR1"() {
        given:
        def old = TdxPrediction.predict(new TdxInputs(fw, 'OVMF.fd', 2L << 30, 1, null, null, null, false, null, null, TdxProfile.named('ubuntu-24.04'), null))
        def neu = TdxPrediction.predict(new TdxInputs(fw, 'OVMF.fd', 2L << 30, 1, null, null, null, false, null, null, TdxProfile.named('qemu-10'), null))

        expect:
        old.events(0).count { it.type() == EventType.EV_SEPARATOR } == 2
        old.events(1).count { it.type() == EventType.EV_SEPARATOR } == 0
        neu.events(0).count { it.type() == EventType.EV_SEPARATOR } == 1
        neu.events(1).count { it.type() == EventType.EV_SEPARATOR } == 1
        and: 'registers with missing inputs get no value; the reason is stated'
        old.rtmrHex(0) == null
        old.missing()[0][0].contains('ACPI tables')
        old.rtmrHex(3) == '00' * 48
    }

    def "RTMR2 LoadOptions digest = SHA-384 of the UTF-16LE command line with NUL and the direct-boot initrd= suffix (iconv + sha384sum)"() {
        given:
        def dir = Files.createTempDirectory('cmdline')
        def file = dir.resolve('c')
        def sh = "printf '%s' 'console=ttyS0 root=/dev/vda1 initrd=initrd' | iconv -f UTF-8 -t UTF-16LE > ${file} && printf '\\000\\000' >> ${file}"
        assert ['sh', '-c', sh].execute().waitFor() == 0

        when:
        def p = TdxPrediction.predict(new TdxInputs(fw, 'OVMF.fd', 2L << 30, 1, null, Files.readAllBytes(STUB), STUB.toString(), false, 'rd'.bytes,
                'console=ttyS0 root=/dev/vda1', TdxProfile.named('qemu-10'), null))
        def events = p.events(2)

        then:
        events[0].digestHex(HashAlg.SHA384) == sha384sum(file)
        events[1].digestHex(HashAlg.SHA384) == hex(java.security.MessageDigest.getInstance('SHA-384').digest('rd'.bytes))

        cleanup:
        dir.toFile().deleteDir()
    }

    def "every profile named by the issue exists and fixes the page order"() {
        expect:
        TdxProfile.named(name).pageOrder() == order

        where:
        name           | order
        'ubuntu-24.04' | MrtdCalculator.PageOrder.TWO_PASS
        'ubuntu-25.04' | MrtdCalculator.PageOrder.SINGLE_PASS
        'qemu-10'      | MrtdCalculator.PageOrder.SINGLE_PASS
        'dstack'       | MrtdCalculator.PageOrder.TWO_PASS
    }
}
