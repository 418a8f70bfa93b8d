package dev.sealwright.snp

import dev.sealwright.attest.snp.AmdCertificates
import dev.sealwright.attest.snp.AttestationReport
import dev.sealwright.attest.snp.ProductGeneration
import dev.sealwright.attest.snp.ReportExpectations
import dev.sealwright.attest.snp.ReportFiles
import dev.sealwright.attest.snp.ReportVerification
import dev.sealwright.attest.snp.ReportVerifier
import dev.sealwright.attest.snp.TcbVersion
import dev.sealwright.attest.snp.VcekExtensions
import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.time.Instant

/** SNP report codec and verification against virtee/sev (E-11..E-13), go-sev-guest (E-15) and SNPGuard (E-19) fixtures. */
class AttestationReportSpec extends Specification {
    /** Inside every fixture VCEK's validity window (pinned so the tests do not depend on the clock). */
    static final Instant AT = Instant.parse('2026-06-01T00:00:00Z')
    @Shared Path milanChain = Repo.fixture('snp/virtee-sev/cert_chain_milan')

    static String sha256(byte[] b) { MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString() }
    static String hex(byte[] b) { b.encodeHex().toString() }

    static ReportVerification verify(byte[] raw, Path vcek, Path chain, ReportExpectations e = ReportExpectations.none()) {
        ReportVerifier.verify(raw, AmdCertificates.readOne(vcek), AmdCertificates.readAll(chain), e.at(AT))
    }

    def "E-11: virtee/sev report_milan.hex parses to the published fields and verifies"() {
        when:
        def raw = ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex'))
        def r = AttestationReport.read(raw)
        def v = verify(raw, Repo.fixture('snp/virtee-sev/vcek_milan.der'), milanChain)

        then:
        sha256(raw) == '120d77b213c8868dd42f160ccb0114f05336ec715f6d51070f534b33c7e03f3b'
        r.version() == 2 && r.guestSvn() == 0 && r.policy() == 0x30000 && r.vmpl() == 0 && r.signatureAlgo() == 1 && r.platformInfo() == 1
        hex(r.measurement()) == '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f'
        hex(r.reportData()) == 'd447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd'
        hex(r.chipId()) == 'd49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6'
        [r.currentTcb(), r.reportedTcb(), r.committedTcb(), r.launchTcb()].every { String.format('%016x', Long.reverseBytes(it)) == '0300000000000873' }
        new TcbVersion(r.reportedTcb(), ProductGeneration.MILAN).toString() == 'bl 3 / tee 0 / snp 8 / ucode 115'
        [r.currentMajor(), r.currentMinor(), r.currentBuild()] == [1, 52, 4]
        r.idKeyDigest().every { it == 0 } && r.familyId().every { it == 0 }

        and: 'chain, signature, chip id, TCB and policy all pass'
        v.ok()
        v.generation() == ProductGeneration.MILAN
        v.checks()*.name() == ['ark', 'ask', 'vcek', 'validity', 'format', 'signature', 'chip-id', 'tcb', 'policy']

        and: 'the codec is symmetric'
        r.toBytes() == raw
    }

    def "E-11: the report also verifies under the builtin Milan ARK/ASK anchors"() {
        given:
        def chain = AmdCertificates.readAll(Repo.fixture('snp/virtee-sev/builtin/milan/ask.pem')) + AmdCertificates.readAll(Repo.fixture('snp/virtee-sev/builtin/milan/ark.pem'))
        def raw = ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex'))

        expect:
        ReportVerifier.verify(raw, AmdCertificates.readOne(Repo.fixture('snp/virtee-sev/vcek_milan.der')), chain, ReportExpectations.none().at(AT)).ok()
    }

    def "E-11 milan_report_invalid: report byte 21 XOR 0x80 fails the signature"() {
        given:
        def raw = ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex'))
        raw[21] = (byte) (raw[21] ^ 0x80)

        when:
        def v = verify(raw, Repo.fixture('snp/virtee-sev/vcek_milan.der'), milanChain)

        then:
        !v.ok()
        v.failures()*.name() == ['signature']
        v.failures()[0].detail().startsWith('the report signature does not verify with SEV-VCEK')
    }

    def "every single-byte change in the signed region is rejected"() {
        given:
        def raw = ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex'))
        def vcek = AmdCertificates.readOne(Repo.fixture('snp/virtee-sev/vcek_milan.der'))
        def chain = AmdCertificates.readAll(milanChain)
        def accepted = []

        when:
        for (int i = 0; i < AttestationReport.SIGNED_SIZE; i++) {
            def t = raw.clone()
            t[i] = (byte) (t[i] ^ 0x01)
            try {
                if (ReportVerifier.verify(t, vcek, chain, ReportExpectations.none().at(AT)).ok()) accepted << i
            } catch (RecipeException ignored) {
                // rejected while parsing (e.g. an unsupported version): also a rejection
            }
        }

        then:
        accepted.isEmpty()
    }

    def "E-11 milan_chain_invalid: VCEK byte 40 XOR 0xff is rejected; so is a changed VCEK signature byte"() {
        given:
        def der = Files.readAllBytes(Repo.fixture('snp/virtee-sev/vcek_milan.der'))
        def dir = Files.createTempDirectory('vcek')
        def byte40 = dir.resolve('byte40.der')
        Files.write(byte40, der.clone().with { it[40] = (byte) (it[40] ^ 0xff); it })
        def lastByte = dir.resolve('last.der')
        Files.write(lastByte, der.clone().with { it[it.length - 1] = (byte) (it[it.length - 1] ^ 0x01); it })
        def raw = ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex'))

        when: 'byte 40 lies in the inner signature-algorithm field: the JDK refuses the certificate'
        verify(raw, byte40, milanChain)

        then:
        def e = thrown(RecipeException)
        e.message == "${byte40}: not an X.509 certificate (DER or PEM): Signature algorithm mismatch".toString()

        when: 'a byte of the certificate signature changes'
        def v = verify(raw, lastByte, milanChain)

        then:
        v.failures()*.name() == ['vcek']
        v.failures()[0].detail() == 'SEV-VCEK is NOT signed by SEV-Milan'

        cleanup:
        dir.toFile().deleteDir()
    }

    def "E-15: go-sev-guest attestation.bin has a debug policy, rejected unless debug is allowed"() {
        given:
        def raw = ReportFiles.read(Repo.fixture('snp/go-sev-guest/attestation.bin'))
        def vcek = Repo.fixture('snp/go-sev-guest/vcek.testcer')
        def chain = Repo.fixture('snp/go-sev-guest/milan.testcer')
        def r = AttestationReport.read(raw)

        when:
        def strict = verify(raw, vcek, chain)
        def lenient = verify(raw, vcek, chain, ReportExpectations.none().withAllowDebug(true)
                .withMeasurement('b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01'.decodeHex())
                .withReportData('0102030405'.decodeHex()))

        then:
        sha256(raw) == '377e6241d3b373ab1df80c0f96978594e7e21f4797dd6ea95e2957e1c1e26060'
        r.policy() == 0xB0000 && r.vmpl() == 0 && r.platformInfo() == 1
        String.format('%016x', Long.reverseBytes(r.reportedTcb())) == '0200000000000544'
        [r.currentMajor(), r.currentMinor(), r.currentBuild()] == [1, 49, 3]
        hex(r.chipId()) == '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d'
        r.toBytes() == raw

        and:
        r.kdsVcekUrl(ProductGeneration.MILAN) == 'https://kdsintf.amd.com/vcek/v1/Milan/' + hex(r.chipId()) + '?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68'
        strict.failures()*.name() == ['policy']
        strict.failures()[0].detail().contains('debugging is allowed (bit 19)')
        lenient.ok()
        lenient.checks()*.name().containsAll(['measurement', 'report-data'])
    }

    def "E-19: SNPGuard's JSON report re-packs to the published bytes and verifies with its VCEK"() {
        when:
        def raw = ReportFiles.read(Repo.fixture('snp/snp-guard/benign-report.json'))
        def r = AttestationReport.read(raw)
        def v = verify(raw, Repo.fixture('snp/snp-guard/vcek.crt'), milanChain, ReportExpectations.none()
                .withMeasurement('d841d812c23fa10eb2d6bcffa7fc0ab1562044c81b5ad058a0df98692c9e264a2c88ed99eb6d2b6b0c0446a9d994661e'.decodeHex())
                .withPolicy(0x30000L))

        then:
        sha256(raw) == '66f23ab2f9a90e14aa3c73845f82c2b17d1f31ac626e76ff34d67eed340d07e2'
        r.vmpl() == 1 && r.policy() == 0x30000
        String.format('%016x', Long.reverseBytes(r.reportedTcb())) == '03000000000014d1'
        [r.currentMajor(), r.currentMinor(), r.currentBuild()] == [1, 55, 16]
        r.reportIdMa().every { it == (byte) 0xFF }
        hex(r.reportData()).startsWith('7c30698846eb041e5296b13cf7cb6a5c71c51b40077c63bcce3253a36272f2391c5aa9ee8a2bc520')
        v.ok()
    }

    def "a swapped VCEK is rejected: signature, chip id and TCB all differ"() {
        when:
        def v = verify(ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex')), Repo.fixture('snp/go-sev-guest/vcek.testcer'), milanChain)

        then:
        v.failures()*.name() == ['signature', 'chip-id', 'tcb']
        v.failures().find { it.name() == 'tcb' }.detail().contains('SNP 5 in the certificate vs 8 in the report')
    }

    def "a wrong chain (Turin CA for a Milan VCEK) is rejected"() {
        when:
        def v = verify(ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex')), Repo.fixture('snp/virtee-sev/vcek_milan.der'),
                Repo.fixture('snp/virtee-sev/cert_chain_turin'))

        then:
        v.failures()*.name() == ['vcek']
        v.failures()[0].detail() == 'SEV-VCEK is NOT signed by SEV-Turin'
    }

    def "an expected measurement that differs is reported with both values"() {
        when:
        def v = verify(ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex')), Repo.fixture('snp/virtee-sev/vcek_milan.der'), milanChain,
                ReportExpectations.none().withMeasurement(new byte[48]))

        then:
        v.failures()*.name() == ['measurement']
        v.failures()[0].detail().endsWith('differs from the expected ' + '0' * 96)
    }

    def "E-12: the Turin VCEK's extensions and chain"() {
        when:
        def vcek = AmdCertificates.readOne(Repo.fixture('snp/virtee-sev/vcek_turin.der'))
        def ext = VcekExtensions.of(vcek)
        def checks = ReportVerifier.verifyChain(vcek, AmdCertificates.readAll(Repo.fixture('snp/virtee-sev/cert_chain_turin')), AT)

        then:
        ext.productName() == 'Turin'
        hex(ext.hwId()) == '1e550a8ee5cf9f4d'
        ext.fmc() == 0 && ext.microcode() == 9 && ext.bootLoader() == 0 && ext.tee() == 0 && ext.snp() == 0
        ProductGeneration.fromProductName(ext.productName()) == ProductGeneration.TURIN
        checks.every { it.ok() }
    }

    def "E-13: every builtin ARK is a pinned AMD root and signs its ASK; the VLEK chain's ASVK is signed by ARK-Milan"() {
        expect:
        ['milan', 'genoa', 'turin'].every { g ->
            def checks = []
            def chain = AmdCertificates.readAll(Repo.fixture("snp/virtee-sev/builtin/${g}/ask.pem")) + AmdCertificates.readAll(Repo.fixture("snp/virtee-sev/builtin/${g}/ark.pem"))
            ReportVerifier.verifyCa(chain, checks) != null && checks.every { it.ok() }
        }
        def vlek = []
        ReportVerifier.verifyCa(AmdCertificates.readAll(Repo.fixture('snp/go-sev-guest/milanvlek.testcer')), vlek).subjectX500Principal.name.contains('SEV-VLEK-Milan')
        vlek.every { it.ok() }
    }

    def "our chain verdicts agree with openssl verify on every fixture VCEK (and on wrong or altered ones)"() {
        given:
        Repo.requireTool('openssl')
        def dir = Files.createTempDirectory('chain')
        def vcekPath = Repo.fixture(vcek)
        if (flipLast) {
            def der = Files.readAllBytes(vcekPath)
            der[der.length - 1] = (byte) (der[der.length - 1] ^ 1)
            vcekPath = dir.resolve('altered.der')
            Files.write(vcekPath, der)
        }
        def cert = AmdCertificates.readOne(vcekPath)
        def chainCerts = AmdCertificates.readAll(Repo.fixture(chain))
        def ark = chainCerts.find { it.subjectX500Principal == it.issuerX500Principal }
        def ask = chainCerts.find { it != ark }
        def pem = { java.security.cert.X509Certificate c, String name ->
            def f = dir.resolve(name)
            Files.writeString(f, "-----BEGIN CERTIFICATE-----\n${Base64.mimeEncoder.encodeToString(c.encoded)}\n-----END CERTIFICATE-----\n")
            f.toString()
        }
        def p = new ProcessBuilder('openssl', 'verify', '-attime', String.valueOf(AT.epochSecond), '-CAfile', pem(ark, 'ark.pem'),
                '-untrusted', pem(ask, 'ask.pem'), pem(cert, 'vcek.pem')).redirectErrorStream(true).start()
        p.inputStream.text
        boolean opensslOk = p.waitFor() == 0

        expect:
        ReportVerifier.verifyChain(cert, chainCerts, AT).every { it.ok() } == expectedOk
        opensslOk == expectedOk

        cleanup:
        dir?.toFile()?.deleteDir()

        where:
        vcek                              | chain                               | flipLast || expectedOk
        'snp/virtee-sev/vcek_milan.der'   | 'snp/virtee-sev/cert_chain_milan'   | false    || true
        'snp/go-sev-guest/vcek.testcer'   | 'snp/go-sev-guest/milan.testcer'    | false    || true
        'snp/snp-guard/vcek.crt'          | 'snp/virtee-sev/cert_chain_milan'   | false    || true
        'snp/virtee-sev/vcek_turin.der'   | 'snp/virtee-sev/cert_chain_turin'   | false    || true
        'snp/virtee-sev/vcek_milan.der'   | 'snp/virtee-sev/cert_chain_turin'   | false    || false
        'snp/virtee-sev/vcek_turin.der'   | 'snp/virtee-sev/cert_chain_milan'   | false    || false
        'snp/virtee-sev/vcek_milan.der'   | 'snp/virtee-sev/cert_chain_milan'   | true     || false
    }

    def "openssl dgst agrees that each fixture report's signature verifies with its VCEK and fails with another"() {
        given:
        Repo.requireTool('openssl')
        def dir = Files.createTempDirectory('sig')
        def raw = ReportFiles.read(Repo.fixture(report))
        def r = AttestationReport.read(raw)
        def cert = AmdCertificates.readOne(Repo.fixture(vcek))
        def pub = dir.resolve('pub.pem')
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n${Base64.mimeEncoder.encodeToString(cert.publicKey.encoded)}\n-----END PUBLIC KEY-----\n")
        def msg = dir.resolve('signed.bin')
        Files.write(msg, Arrays.copyOf(raw, AttestationReport.SIGNED_SIZE))
        def sig = dir.resolve('sig.der')
        Files.write(sig, new org.bouncycastle.asn1.DERSequence([new org.bouncycastle.asn1.ASN1Integer(r.signature().r()),
                new org.bouncycastle.asn1.ASN1Integer(r.signature().s())] as org.bouncycastle.asn1.ASN1Encodable[]).encoded)
        def p = new ProcessBuilder('openssl', 'dgst', '-sha384', '-verify', pub.toString(), '-signature', sig.toString(), msg.toString())
                .redirectErrorStream(true).start()
        p.inputStream.text

        expect:
        (p.waitFor() == 0) == expectedOk
        verify(raw, Repo.fixture(vcek), milanChain, ReportExpectations.none().withAllowDebug(true)).checks().find { it.name() == 'signature' }.ok() == expectedOk

        cleanup:
        dir?.toFile()?.deleteDir()

        where:
        report                              | vcek                            || expectedOk
        'snp/virtee-sev/report_milan.hex'   | 'snp/virtee-sev/vcek_milan.der' || true
        'snp/go-sev-guest/attestation.bin'  | 'snp/go-sev-guest/vcek.testcer' || true
        'snp/snp-guard/benign-report.json'  | 'snp/snp-guard/vcek.crt'        || true
        'snp/go-sev-guest/attestation.bin'  | 'snp/snp-guard/vcek.crt'        || false
    }

    def "versions 3 and 5 round-trip with their CPUID and mitigation-vector fields; Turin TCB layout decodes"() {
        given:
        def base = AttestationReport.read(ReportFiles.read(Repo.fixture('snp/virtee-sev/report_milan.hex')))
        def v5 = new AttestationReport(5, 1, 0x30000, new byte[16], new byte[16], 0, 1, 0x0900000004030201L, 1, 0, new byte[64], new byte[48],
                new byte[32], new byte[48], new byte[48], new byte[32], new byte[32], 0x0900000004030201L, 0x1A, 0x02, 0x01, base.chipId(),
                0x0900000004030201L, 1, 2, 3, 1, 2, 3, 0x0900000004030201L, 0x11, 0x22, new SnpSignature(BigInteger.ONE, BigInteger.TWO))

        when:
        def back = AttestationReport.read(v5.toBytes())
        def v3 = AttestationReport.read(v5.toBytes().with { it[0] = 3; it })

        then:
        back == v5
        back.cpuidFamily() == 0x1A && back.launchMitVector() == 0x11 && back.currentMitVector() == 0x22
        back.generationHint() == ProductGeneration.TURIN
        new TcbVersion(back.reportedTcb(), ProductGeneration.TURIN).toString() == 'fmc 1 / bl 2 / tee 3 / snp 4 / ucode 9'
        v3.cpuidFamily() == 0x1A && v3.launchMitVector() == 0
        back.kdsVcekUrl(ProductGeneration.TURIN) == 'https://kdsintf.amd.com/vcek/v1/Turin/' + hex(base.chipId()).take(16) + '?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=9'
    }

    def "malformed report files give one line naming the file"() {
        given:
        def dir = Files.createTempDirectory('rep')
        def short_ = dir.resolve('short.bin')
        Files.write(short_, new byte[100])
        def v9 = dir.resolve('v9.bin')
        Files.write(v9, new byte[1184].with { it[0] = 9; it })

        expect:
        message { ReportFiles.read(short_) } == "${short_}: 100 bytes is not an SNP report (1184 bytes binary, hex text, or sev-crate JSON)"
        message { ReportFiles.read(v9) } == "${v9}: SNP report: version 9 is not supported (2 to 5)"

        cleanup:
        dir.toFile().deleteDir()
    }

    static String message(Closure c) {
        try {
            c.call()
        } catch (RecipeException e) {
            return e.message
        }
        'no exception'
    }
}
