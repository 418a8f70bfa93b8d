package dev.sealwright.attest.sim

import dev.sealwright.attest.snp.AmdCertificates
import dev.sealwright.attest.snp.AttestationReport
import dev.sealwright.attest.snp.ReportExpectations
import dev.sealwright.attest.snp.ReportVerifier
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import org.bouncycastle.asn1.ASN1Integer
import org.bouncycastle.asn1.DERSequence
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant

/**
 * SIMULATED SNP reports: same codec and verifier as AMD's, rejected unless the test ARK is explicitly
 * trusted, labelled SIMULATED; chain and report signature cross-checked with OpenSSL.
 */
class SimulatedSnpProviderSpec extends Specification {
    static final Instant T0 = Instant.parse('2026-01-01T00:00:00Z')
    static final Instant AT = T0 + Duration.ofDays(1)

    @Shared
    def provider = new SimulatedSnpProvider(T0 - Duration.ofDays(1), T0 + Duration.ofDays(365))
    @Shared
    byte[] measurement = (0..<48).collect { (byte) (it * 3) } as byte[]
    @Shared
    byte[] reportData = 'nonce'.bytes

    @TempDir
    Path dir

    AttestationReport report() { provider.report(reportData, measurement, new byte[32], SimulatedSnpProvider.DEFAULT_POLICY) }

    def verify(byte[] raw, boolean trust, def vcek = provider.vcek, List chain = [provider.ask, provider.ark]) {
        ReportVerifier.verify(raw, vcek, chain, ReportExpectations.none().at(AT).withTrustSimulated(trust).withMeasurement(measurement))
    }

    def "a simulated report round-trips through the codec and verifies only when the test ARK is trusted"() {
        given:
        byte[] raw = report().toBytes()

        when:
        def trusted = verify(raw, true)
        def untrusted = verify(raw, false)

        then:
        AttestationReport.read(raw).toBytes() == raw
        AttestationReport.read(raw).version() == 3
        AttestationReport.read(raw).measurement() == measurement
        trusted.ok() && trusted.simulated()
        trusted.checks()*.name() == ['ark', 'ask', 'vcek', 'validity', 'format', 'signature', 'chip-id', 'tcb', 'policy', 'measurement']
        trusted.checks().find { it.name() == 'ark' }.detail().startsWith('SIMULATED test root')
        trusted.toMap().containsKey('SIMULATED')

        and: 'without the explicit trust only the root is refused, and the reason says how to allow it'
        !untrusted.ok()
        untrusted.failures()*.name() == ['ark']
        untrusted.failures()[0].detail().contains('--trust-simulated')
    }

    def "OpenSSL accepts the simulated chain (RSA-PSS) and the report signature independently"() {
        given:
        Repo.requireTool('openssl')
        byte[] raw = report().toBytes()
        Path ark = pem('ark.pem', provider.ark), ask = pem('ask.pem', provider.ask), vcek = pem('vcek.pem', provider.vcek)
        Files.write(dir.resolve('signed.bin'), Arrays.copyOf(raw, AttestationReport.SIGNED_SIZE))
        byte[] p1363 = AttestationReport.read(raw).signature().toP1363()
        Files.write(dir.resolve('sig.der'), new DERSequence([new ASN1Integer(new BigInteger(1, p1363[0..47] as byte[])),
                new ASN1Integer(new BigInteger(1, p1363[48..95] as byte[]))] as ASN1Integer[]).encoded)
        run('openssl', 'x509', '-in', vcek.toString(), '-pubkey', '-noout', '-out', dir.resolve('vcek-pub.pem').toString())

        expect:
        run('openssl', 'verify', '-attime', String.valueOf(AT.epochSecond), '-CAfile', ark.toString(), '-untrusted', ask.toString(), vcek.toString())
                .contains('OK')
        run('openssl', 'x509', '-in', vcek.toString(), '-noout', '-text').with {
            it.contains('rsassaPss') && it.contains('1.3.6.1.4.1.3704.1.3.8') && it.contains('Milan-B0')
        }
        run('openssl', 'dgst', '-sha384', '-verify', dir.resolve('vcek-pub.pem').toString(), '-signature', dir.resolve('sig.der').toString(),
                dir.resolve('signed.bin').toString()).contains('Verified OK')
    }

    def "flipping any byte of the signed region is rejected by the signature check"() {
        given:
        byte[] raw = report().toBytes()
        List<Integer> accepted = []

        when:
        for (int i = 0; i < AttestationReport.SIGNED_SIZE; i++) {
            byte[] bad = raw.clone()
            bad[i] = (byte) (bad[i] ^ 0x01)
            def v
            try {
                v = verify(bad, true)
            } catch (RuntimeException ignored) {
                continue // unparseable (e.g. version byte): rejected before verification
            }
            if (v.ok() || !v.failures()*.name().contains('signature')) accepted << i
        }

        then:
        accepted.isEmpty()
    }

    def "a VCEK from another simulated chip, or an AMD chain for a simulated VCEK, is rejected with the reason"() {
        given:
        byte[] raw = report().toBytes()
        def other = new SimulatedSnpProvider(T0 - Duration.ofDays(1), T0 + Duration.ofDays(365))
        def amdMilan = AmdCertificates.readAll(Repo.fixture('snp/virtee-sev/cert_chain_milan'))

        when:
        def swappedVcek = verify(raw, true, other.vcek, [other.ask, other.ark])
        def wrongChain = verify(raw, true, provider.vcek, amdMilan)

        then:
        swappedVcek.failures()*.name().containsAll(['signature', 'chip-id'])
        wrongChain.failures()*.name() == ['vcek']
        wrongChain.failures()[0].detail().contains('is NOT signed by')
    }

    def "CLI: snp simulate writes report, VCEK and chain; attest snp needs --trust-simulated and labels the result"() {
        given:
        def m = measurement.encodeHex().toString()
        def sim = Cli.run('snp', 'simulate', '--out', "${dir}/r.bin", '--vcek-out', "${dir}/vcek.pem", '--chain-out', "${dir}/chain.pem",
                '--measurement', m, '--report-data', 'aabb')
        def args = ["${dir}/r.bin", '--vcek', "${dir}/vcek.pem", '--chain', "${dir}/chain.pem", '--expect-measurement', m] as String[]

        when:
        def refused = Cli.run(['attest', 'snp', *args] as String[])
        def accepted = Cli.run(['attest', 'snp', *args, '--trust-simulated'] as String[])
        def json = new JsonSlurper().parseText(Cli.run(['attest', 'snp', *args, '--trust-simulated', '--json'] as String[]).out)
        def mismatch = Cli.run(['attest', 'snp', "${dir}/r.bin", '--vcek', "${dir}/vcek.pem", '--chain', "${dir}/chain.pem",
                                '--expect-measurement', '00' * 48, '--trust-simulated'] as String[])

        then:
        sim.exitCode == 0 && sim.out.readLines().every { it.startsWith('SIMULATED') }
        Files.size(dir.resolve('r.bin')) == AttestationReport.SIZE
        refused.exitCode == 1 && refused.out.contains('--trust-simulated') && refused.out.contains('SIMULATED NOT verified')
        accepted.exitCode == 0 && accepted.out.contains('SIMULATED verified')
        json.SIMULATED && json.verified && json.report.report_data.startsWith('aabb00')
        mismatch.exitCode == 1 && mismatch.out.contains('differs from the expected')
    }

    private Path pem(String name, def cert) {
        Path p = dir.resolve(name)
        Files.writeString(p, "-----BEGIN CERTIFICATE-----\n${cert.encoded.encodeBase64().toString().replaceAll('(.{64})', '$1\n')}\n-----END CERTIFICATE-----\n".toString())
        p
    }

    private static String run(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed:\n${out}"
        out
    }
}
