package dev.sealwright.measure

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.event.BootEvent
import dev.sealwright.measure.event.EventDiff
import dev.sealwright.measure.event.EventJson
import dev.sealwright.measure.event.EventLog
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.EventType
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.event.Registers
import dev.sealwright.measure.event.Tcg2EventLogCodec
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * CCEL / TCG2 event-log codec and replay against the published logs in ../shared/fixtures
 * (expected RTMRs from fixtures/README.md E-8..E-10, and from the TD quotes that accompany the logs),
 * and against tpm2-tools' tpm2_eventlog reading logs we write.
 */
class EventLogSpec extends Specification {
    @TempDir
    Path dir

    static EventLog log(String fixture) { EventLogFiles.read(Repo.fixture(fixture), null) }

    def "every fixture CCEL replays to the RTMRs the fixtures README states"() {
        when:
        def log = log(file)
        def r = Registers.replay(log, HashAlg.SHA384)

        then:
        log.kind() == LogKind.CC_EVENT_LOG
        log.algorithms() == [HashAlg.SHA384]
        log.events().size() == events
        r.hex(0) == rtmr0
        r.hex(1) == rtmr1
        r.hex(2) == rtmr2
        r.hex(3) == '00' * 48

        where:
        file                                                            | events | rtmr0                                                                                              | rtmr1                                                                                              | rtmr2
        'eventlog/go-eventlog/cos-113-intel-tdx-dupe-separator-unpadded.bin' | 43 | 'a4de2df23e9611299123ba4359c42a5e578b0f8488bf1bba8ef5606d9ea5d81c97c064b482a5eac537d166bd0f0f752d' | '0ee9366c928a77092f55e9e114c7394181fd264699155f0df77d23577618d5f650568a17d379355a07bd846e552f4e20' | '4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1'
        'eventlog/go-eventlog/cos-113-intel-tdx-dupe-separator.bin'     | 43     | 'a4de2df23e9611299123ba4359c42a5e578b0f8488bf1bba8ef5606d9ea5d81c97c064b482a5eac537d166bd0f0f752d' | '0ee9366c928a77092f55e9e114c7394181fd264699155f0df77d23577618d5f650568a17d379355a07bd846e552f4e20' | '4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1'
        'eventlog/go-eventlog/cos-113-intel-tdx.bin'                    | 43     | '3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6' | 'f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1' | '4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1'
        'tdx/go-tdx-guest/ccel/ccel_data.dat'                           | 43     | '3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6' | 'f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1' | '4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1'
        'eventlog/go-eventlog/CCEL_unpadded.data.bin'                   | 19     | '8083cd6898cc52a90231cdf9c0532bf9513c40465c6f71e56cbe32ee2c11a9dfc030297ca3ca0f62477d6d1f610d3fdb' | '6484f0d72c03521c0434553be34e8db8228b729e799666d2b7754085c77aa9981f5a440df3047194b24f212ff1160c1e' | 'c3e7ed9d7e909b29732f676d01dc63de869b049362b522a315cb042689670be07344c347cf85d985c7b928d4934e41e1'
        'eventlog/go-eventlog/event_log.bin'                            | 27     | 'f68df15175d7c810a6b35f1847ba318723b9de337ee00bc63cf42c0a29ad1d94a5b16d3e2ba1b96ec55a46e67b1bea92' | '8adfd9a44e11725208cbe1cf79726f1c86c0c45c1b5046b603e32650e7b44bdf7101abf1bf6ecbebc38b35f9f28f588e' | '00' * 48
        'eventlog/dstack/ccel.bin'                                      | 18     | '274c2344116db7c663470693b5ba62b8621eac28cb41d2f816ddf188f9f423f900a1c44d32386fd3c993dc814e62af9d' | 'bdcf4ee0f7fdfe7c73fbb19ded73193aee23a6726b86d3b282ea097cf4c9ed7a0db21b5c1ccd513e410d90e310836b26' | '00' * 48
    }

    def "per-register event counts match the README (cos-113: 16/7/20, dstack: 13/5, Intel: 14/4/1)"() {
        expect:
        log(file).events().countBy { it.index() } == counts

        where:
        file                                          | counts
        'eventlog/go-eventlog/cos-113-intel-tdx.bin'  | [1L: 16, 2L: 7, 3L: 20]
        'eventlog/dstack/ccel.bin'                    | [1L: 13, 2L: 5]
        'eventlog/go-eventlog/CCEL_unpadded.data.bin' | [1L: 14, 2L: 4, 3L: 1]
    }

    static String quoteField(byte[] quote, int offset) { quote[offset..<(offset + 48)].collect { String.format('%02x', it & 0xFF) }.join() }

    def "replaying the COS-113 CCEL reproduces RTMR0..3 inside the TD quote that came with it (quote v4 body offsets 376/424/472/520)"() {
        given:
        byte[] quote = Files.readAllBytes(Repo.fixture('tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat'))
        def r = Registers.replay(log('tdx/go-tdx-guest/ccel/ccel_data.dat'), HashAlg.SHA384)

        expect:
        (quote[0] & 0xFF) == 4
        (0..3).every { r.hex(it) == quoteField(quote, 376 + 48 * it) }
    }

    def "replaying the dstack sample CCEL reproduces RTMR0 of the dstack quote (quote-from-tappd.hex)"() {
        given:
        byte[] quote = HexFormat.of().parseHex(Files.readString(Repo.fixture('dcap/dcap-qvl/quote-from-tappd.hex')).trim())

        expect:
        Registers.replay(log('eventlog/dstack/ccel.bin'), HashAlg.SHA384).hex(0) == quoteField(quote, 376)
    }

    def "writing a parsed log gives back the firmware's bytes exactly (padding excluded)"() {
        given:
        byte[] original = Files.readAllBytes(Repo.fixture(file))

        when:
        byte[] written = Tcg2EventLogCodec.write(log(file))

        then:
        written.length == used
        written == Arrays.copyOf(original, used)
        (used..<original.length).every { original[it] == (byte) 0xFF }

        where:
        file                                                                 | used
        'eventlog/go-eventlog/cos-113-intel-tdx-dupe-separator-unpadded.bin' | 18101
        'eventlog/go-eventlog/cos-113-intel-tdx.bin'                         | 18101
        'eventlog/go-eventlog/CCEL_unpadded.data.bin'                        | 2026
        'eventlog/go-eventlog/event_log.bin'                                 | 2703
        'eventlog/dstack/ccel.bin'                                           | 1933
    }

    def "descriptions decode variables, actions and the TD HOB / firmware-volume blobs"() {
        when:
        def events = log('eventlog/go-eventlog/CCEL_unpadded.data.bin').events()

        then:
        events[0].typeName() == 'EV_EFI_HANDOFF_TABLES2' && events[0].description() == 'TdxTable'
        events[2].description() == 'variable SecureBoot (1 bytes)'
        events.find { it.type() == EventType.EV_EVENT_TAG }.description() == 'LOADED_IMAGE::LoadOptions'
        events.last().description() == 'Exit Boot Services Returned with Success'
    }

    def "a log we write in TPM form (sha256 + sha384 banks) is read by tpm2_eventlog, whose PCR values equal our replay"() {
        given:
        Repo.requireTool('tpm2_eventlog')
        def src = log('eventlog/go-eventlog/CCEL_unpadded.data.bin')
        def events = src.events().collect { BootEvent e ->
            new BootEvent(e.index() + 7, e.type(), [(HashAlg.SHA256): HashAlg.SHA256.digest(e.data()), (HashAlg.SHA384): e.digest(HashAlg.SHA384)],
                    e.data(), e.description())
        }
        def tpmLog = EventLog.of(LogKind.TPM_EVENT_LOG, [HashAlg.SHA256, HashAlg.SHA384], events)
        def file = dir.resolve('tpm.log')
        Files.write(file, Tcg2EventLogCodec.write(tpmLog))

        when:
        def proc = ['tpm2_eventlog', file.toString()].execute()
        def out = proc.text
        proc.waitFor()
        def pcrs = parsePcrs(out)

        then:
        proc.exitValue() == 0
        [HashAlg.SHA256, HashAlg.SHA384].every { alg ->
            def ours = Registers.replay(tpmLog, alg)
            (8..10).every { pcrs[alg.label()][it] == ours.hex(it) }
        }
        // and the sha384 bank equals the README's RTMRs of the source log
        pcrs['sha384'][8] == '8083cd6898cc52a90231cdf9c0532bf9513c40465c6f71e56cbe32ee2c11a9dfc030297ca3ca0f62477d6d1f610d3fdb'
        Tcg2EventLogCodec.read(Files.readAllBytes(file), 'tpm.log', null).events() == events
    }

    /** The "pcrs:" section of tpm2_eventlog's YAML: bank -> pcr -> hex. */
    static Map<String, Map<Integer, String>> parsePcrs(String yaml) {
        def out = [:].withDefault { [:] }
        String bank = null
        boolean inPcrs = false
        yaml.eachLine { line ->
            if (line == 'pcrs:') { inPcrs = true; return }
            if (!inPcrs) return
            def b = line =~ /^  (sha\d+):$/
            if (b) { bank = b[0][1]; return }
            def p = line =~ /^\s+(\d+)\s*: 0x([0-9a-f]+)$/
            if (p && bank) out[bank][p[0][1] as int] = p[0][2]
        }
        out
    }

    def "TPM logs replay PCR0 from the StartupLocality event's locality"() {
        given:
        byte[] locality = ('StartupLocality\0'.bytes as List) + [(byte) 3] as byte[]
        def events = [new BootEvent(0, EventType.EV_NO_ACTION, [(HashAlg.SHA256): new byte[32]], locality, ''),
                      BootEvent.measuring(0, EventType.EV_SEPARATOR, new byte[4], new byte[4], 'sep', HashAlg.SHA256)]

        expect: 'PCR0 = H(00..03 || H(00000000)), the TPM 2.0 locality-3 startup rule'
        Registers.replay(LogKind.TPM_EVENT_LOG, events, HashAlg.SHA256).value(0) == sha256(([0] * 31 + [3]) as byte[], sha256(new byte[4]))
    }

    static byte[] sha256(byte[]... parts) {
        def md = java.security.MessageDigest.getInstance('SHA-256')
        parts.each { md.update(it) }
        md.digest()
    }

    def "truncated or foreign files fail with one line naming the file"() {
        given:
        byte[] good = Files.readAllBytes(Repo.fixture('eventlog/go-eventlog/CCEL_unpadded.data.bin'))

        when:
        Tcg2EventLogCodec.read(damaged(good, damage), 'x.bin', null)

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('x.bin: ')
        e.message.contains(reason)
        !e.message.contains('\n')

        where:
        damage       | reason
        'truncated'  | 'runs past the end'
        'tiny'       | 'too short'
        'text'       | 'not EV_NO_ACTION'
        'signature'  | 'Spec ID Event03'
        'acpi-table' | 'not EV_NO_ACTION'
        'undeclared' | 'digest algorithm 0x000d not declared in the header'
        'twice'      | 'two sha384 digests in one event'
    }

    /** The first event after the header rewritten to carry {@code count} digests of algorithm {@code id}, each 48 bytes. */
    static byte[] firstEventDigests(byte[] good, int count, int id) {
        def b = java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        int first = 32 + b.getInt(28)
        def out = new ByteArrayOutputStream()
        out.write(good, 0, first + 8)
        def n = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(count).array()
        out.write(n)
        count.times { out.write(id & 0xFF); out.write(id >>> 8); out.write(new byte[48]) }
        out.write(good, first + 12 + 2 + 48, good.length - (first + 12 + 2 + 48))
        out.toByteArray()
    }

    static byte[] damaged(byte[] good, String how) {
        switch (how) {
            case 'truncated': return Arrays.copyOf(good, 2000)
            case 'tiny': return Arrays.copyOf(good, 20)
            case 'text': return 'hello world, this is not a log at all!'.bytes
            case 'signature': byte[] c = good.clone(); c[32] = (byte) 0x58; return c
            case 'undeclared': return firstEventDigests(good, 1, 0x000D)   // sha512 in a sha384-only CCEL (a Jazzer finding)
            case 'twice': return firstEventDigests(good, 2, 0x000C)
            default: return Files.readAllBytes(Repo.fixture('eventlog/go-eventlog/CCEL.bin'))
        }
    }

    def "diff of a log against itself is empty; a changed digest is reported as the first difference in its register"() {
        given:
        def a = log('eventlog/dstack/ccel.bin')
        def events = new ArrayList<BootEvent>(a.events())
        int victim = events.findIndexOf { it.index() == 2 && it.type() == EventType.EV_EFI_ACTION }
        def v = events[victim]
        events[victim] = BootEvent.measuring(v.index(), v.type(), 'other'.bytes, v.data(), 'changed', HashAlg.SHA384)

        when:
        def same = EventDiff.firstPerRegister(LogKind.CC_EVENT_LOG, a.events(), a.events(), HashAlg.SHA384)
        def diffs = EventDiff.firstPerRegister(LogKind.CC_EVENT_LOG, a.events(), events, HashAlg.SHA384)

        then:
        same.isEmpty()
        diffs.size() == 1
        diffs[0].register() == 'RTMR1'
        diffs[0].left().is(v)
        diffs[0].right().description() == 'changed'
    }

    def "the JSON form reads back to the same events and diffs empty against the binary log"() {
        given:
        def a = log('eventlog/go-eventlog/cos-113-intel-tdx.bin')
        def file = dir.resolve('log.json')
        Files.writeString(file, dev.sealwright.base.Json.pretty(EventJson.log(a)))

        when:
        def b = EventLogFiles.read(file, null)

        then:
        b.events() == a.events()
        EventDiff.firstPerRegister(LogKind.CC_EVENT_LOG, a.events(), b.events(), HashAlg.SHA384).isEmpty()
    }

    def "CCEL ACPI tables: go-eventlog's TestParseCCACPITable values (LAML 65536, TDX) and the COS-113 table (E-8/E-9); rewrite is byte-exact"() {
        given:
        byte[] bytes = Files.readAllBytes(Repo.fixture(file))

        when:
        def t = dev.sealwright.measure.event.CcelAcpiTable.read(bytes, file)

        then:
        t.ccTypeName() == 'TDX'
        t.laml() == laml
        t.lasa() == lasa
        t.revision() == 1
        t.oemId() == 'INTEL '
        t.write() == bytes

        where:
        file                                              | laml    | lasa
        'eventlog/go-eventlog/CCEL.bin'                   | 65536   | 0x7D649000L
        'tdx/go-tdx-guest/ccel/ccel_table.dat'            | 0x40000 | 0xBEDBF000L
    }
}
