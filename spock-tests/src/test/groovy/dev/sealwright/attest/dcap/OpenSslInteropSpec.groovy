package dev.sealwright.attest.dcap

import dev.sealwright.attest.sim.SimulatedTdxProvider
import dev.sealwright.testkit.Repo
import org.bouncycastle.asn1.ASN1Integer
import org.bouncycastle.asn1.DERSequence
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant

/**
 * The real OpenSSL tool cross-checks our byte offsets and our outputs: it verifies the E-1 quote
 * signature over the region we call signed and the QE report signature over the bytes we call the
 * QE report, and it accepts the SIMULATED PKI's certificates and CRLs (rejecting a revoked PCK).
 */
class OpenSslInteropSpec extends Specification {
    @TempDir
    Path dir

    String openssl(String... args) {
        def cmd = [Repo.requireTool('openssl').toString()] + (args as List)
        def p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        p.waitFor()
        return "exit ${p.exitValue()}\n${out}"
    }

    static byte[] der(byte[] rs) {
        new DERSequence([new ASN1Integer(new BigInteger(1, rs[0..31] as byte[])),
                         new ASN1Integer(new BigInteger(1, rs[32..63] as byte[]))] as org.bouncycastle.asn1.ASN1Encodable[]).encoded
    }

    static String b64(byte[] b) {
        Base64.getMimeEncoder(64, '\n'.bytes).encodeToString(b)
    }

    static String pemKey(java.security.PublicKey k) {
        "-----BEGIN PUBLIC KEY-----\n${b64(k.encoded)}\n-----END PUBLIC KEY-----\n"
    }

    def "openssl verifies the E-1 quote signature over our signed region and the QE report signature over our QE report"() {
        given:
        def q = Quote.readFile(Repo.fixture('dcap/dcap-qvl/tdx_quote'))
        Files.write(dir.resolve('signed.bin'), q.signedRegion())
        Files.write(dir.resolve('quote.sig'), der(q.signature()))
        Files.writeString(dir.resolve('ak.pem'), pemKey(Pki.p256Key(q.attestationKey())))
        Files.write(dir.resolve('qe_report.bin'), q.certification().qeReport().toBytes())
        Files.write(dir.resolve('qe.sig'), der(q.certification().qeReportSignature()))
        Files.write(dir.resolve('chain.pem'), q.certification().certificationData())
        // openssl x509 reads the first certificate of the chain: the PCK leaf
        openssl('x509', '-in', 'chain.pem', '-pubkey', '-noout', '-out', 'pck.pem')

        expect:
        q.signedRegion().length == 632
        openssl('dgst', '-sha256', '-verify', 'ak.pem', '-signature', 'quote.sig', 'signed.bin').contains('Verified OK')
        openssl('dgst', '-sha256', '-verify', 'pck.pem', '-signature', 'qe.sig', 'qe_report.bin').contains('Verified OK')
        openssl('x509', '-in', 'chain.pem', '-noout', '-subject').contains('Intel SGX PCK Certificate')

        when: 'one byte of the signed region differs'
        byte[] bad = q.signedRegion()
        bad[200] ^= 1
        Files.write(dir.resolve('signed.bin'), bad)

        then:
        openssl('dgst', '-sha256', '-verify', 'ak.pem', '-signature', 'quote.sig', 'signed.bin').contains('Verification failure')
    }

    def "openssl accepts the SIMULATED chain and CRLs, and reports the revoked PCK as revoked"() {
        given:
        Instant t0 = Instant.parse('2026-01-01T00:00:00Z')
        def sim = new SimulatedTdxProvider(t0 - Duration.ofDays(1), t0 + Duration.ofDays(365))
        def pki = sim.pki()
        def q = sim.quote(new byte[64], new byte[48], [new byte[48]] * 4 as byte[][])
        Files.write(dir.resolve('chain.pem'), q.certification().certificationData())
        def pem = { java.security.cert.X509Certificate c -> "-----BEGIN CERTIFICATE-----\n${b64(c.encoded)}\n-----END CERTIFICATE-----\n" }
        Files.writeString(dir.resolve('root.pem'), pem(pki.root))
        Files.writeString(dir.resolve('ca.pem'), pem(pki.pckCa))
        Files.writeString(dir.resolve('pck.pem'), pem(pki.pck))
        def good = sim.collateral(t0, t0 + Duration.ofDays(30), [])
        def revoked = sim.collateral(t0, t0 + Duration.ofDays(30), [pki.pck])
        Files.write(dir.resolve('root.crl'), good.rootCaCrl())
        Files.write(dir.resolve('pck.crl'), good.pckCrl())
        Files.write(dir.resolve('pck-revoked.crl'), revoked.pckCrl())
        openssl('crl', '-inform', 'DER', '-in', 'root.crl', '-out', 'root-crl.pem')
        openssl('crl', '-inform', 'DER', '-in', 'pck.crl', '-out', 'pck-crl.pem')
        openssl('crl', '-inform', 'DER', '-in', 'pck-revoked.crl', '-out', 'pck-revoked-crl.pem')
        String at = String.valueOf(t0.epochSecond + 86400)

        expect:
        openssl('verify', '-attime', at, '-CAfile', 'root.pem', '-untrusted', 'ca.pem', 'pck.pem').contains('pck.pem: OK')
        openssl('crl', '-in', 'pck-crl.pem', '-CAfile', 'ca.pem', '-noout').contains('exit 0')
        openssl('verify', '-attime', at, '-crl_check_all', '-CAfile', 'root.pem', '-untrusted', 'ca.pem',
                '-CRLfile', 'root-crl.pem', '-CRLfile', 'pck-crl.pem', 'pck.pem').contains('pck.pem: OK')
        openssl('verify', '-attime', at, '-crl_check_all', '-CAfile', 'root.pem', '-untrusted', 'ca.pem',
                '-CRLfile', 'root-crl.pem', '-CRLfile', 'pck-revoked-crl.pem', 'pck.pem').contains('certificate revoked')
    }
}
