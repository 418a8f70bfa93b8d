package dev.sealwright.enroll.quex

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification

import java.nio.file.Files

/** The TDREPORT codec: parsing and assembling against the quex-pack report.dat (hashes made by a TDX module). */
class TdReportSpec extends Specification {
    static final HexFormat HEX = HexFormat.of()

    def "assembling report.dat from its parts reproduces the TDX module's TEE_TCB_INFO and TDINFO hashes and every field"() {
        given:
        byte[] fixture = Files.readAllBytes(Repo.fixture('quex/quex-pack/report.dat'))
        def f = TdReport.parse(fixture, 'report.dat')

        when:
        def r = TdReport.assemble(Arrays.copyOf(fixture, 4), f.cpuSvn(), f.teeTcbInfo(), f.tdInfo(), f.reportData())
        byte[] b = r.bytes()

        then: 'the two SHA-384 hashes equal the ones the TDX module wrote'
        r.teeTcbInfoHash() == f.teeTcbInfoHash()
        r.teeInfoHash() == f.teeInfoHash()
        r.hashesConsistent()

        and: 'everything but the MAC and the reserved fields is the fixture'
        Arrays.equals(b, 0, 4, fixture, 0, 4)
        Arrays.equals(b, 16, 192, fixture, 16, 192)
        Arrays.equals(b, 256, 1024, fixture, 256, 1024)
        Arrays.equals(Arrays.copyOfRange(b, 224, 256), new byte[32])

        and: 'the registers read back as listed in the fixtures README'
        HEX.formatHex(r.mrTd()) == '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'
        HEX.formatHex(r.attributes()) == '0000001000000000'
        !r.debug()
    }

    def "a SIMULATED report carries the given registers, DEBUG off, consistent hashes, zero REPORTDATA"() {
        given:
        byte[] mrtd = HEX.parseHex('11' * 48)
        byte[] rtmr1 = HEX.parseHex('22' * 48)

        when:
        def r = TdReport.simulated(HEX.parseHex('0000001000000000'), HEX.parseHex('e702060000000000'), mrtd, [null, rtmr1, null, null] as byte[][])

        then:
        r.bytes()[0] == (byte) 0x81
        r.mrTd() == mrtd
        r.rtmr(1) == rtmr1
        r.rtmr(0) == new byte[48]
        r.reportData() == new byte[64]
        !r.debug()
        r.hashesConsistent()
    }

    def "a report of the wrong size or type is a one-line error"() {
        when:
        TdReport.parse(new byte[1000], 'x.dat')

        then:
        def e = thrown(RecipeException)
        e.message == 'x.dat: a TD report is 1024 bytes, got 1000'
    }
}
