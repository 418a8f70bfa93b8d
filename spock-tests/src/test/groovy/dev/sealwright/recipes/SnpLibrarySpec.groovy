package dev.sealwright.recipes

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate

/**
 * The standard library snp@1 run through the CLI as samples/snpguard runs it (no SNP host: the launch is a dry
 * run, the report SIMULATED): snp.expected against the published sev-snp-measure vector (E-17 V7), snp.launch's
 * command line carrying the ID block, and snp.verify's SIMULATED report read here by offset (AMD SEV-SNP ABI,
 * table 22) and its ECDSA P-384 signature checked with the JCE against the VCEK; a report of another digest fails.
 */
class SnpLibrarySpec extends Specification {
    @Shared @TempDir
    Path dir

    static final String OVMF = Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString()
    static final String ID_KEY = Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString()
    static final String AUTHOR_KEY = Repo.fixture('snp/virtee-sev/idblock/test_auth_key.pem').toString()

    private Cli.Result run(String name, String body) {
        def recipe = dir.resolve("${name}.groovy")
        Files.writeString(recipe, "use 'snp@1'\npipeline('${name}') {\n${body}\n}\n")
        Files.createDirectories(dir.resolve('uki'))
        Files.write(dir.resolve('uki/uki.efi'), new byte[4096])     // a stand-in UKI: the dry run only names it
        Cli.run('run', recipe.toString(), '-C', dir.resolve('ws').toString(), '--report', dir.resolve("${name}.json").toString())
    }

    private Path out(String step, String file) { dir.resolve("ws/out/${step}/${file}") }

    def "expected, idblock, launch and verify: the published launch digest, an id-block launch line, a SIMULATED report whose fields and signature check out"() {
        when:
        def r = run('lib', """
            def d = snp.expected(ovmf: file('${OVMF}'), prefix: 'lib')
            def id = snp.idblock(measurement: d.measurement, idKey: secret(file: '${ID_KEY}'), authorKey: secret(file: '${AUTHOR_KEY}'), prefix: 'lib')
            snp.launch(ovmf: file('${OVMF}'), uki: file('uki/uki.efi'), idblock: id.idblock, dryRun: true, prefix: 'lib')
            snp.verify(measurement: d.measurement, at: '2026-01-01T00:00:00Z', prefix: 'lib')
        """)
        def steps = new JsonSlurper().parse(dir.resolve('lib.json').toFile()).steps
        String digest = steps.find { it.name == 'lib-digest' }.values.digest
        String line = steps.find { it.name == 'lib-vm' }.values.commandLine
        byte[] report = Files.readAllBytes(out('lib-report', 'report.bin'))
        def vcek = (X509Certificate) CertificateFactory.getInstance('X.509').generateCertificate(Files.newInputStream(out('lib-report', 'vcek.pem')))
        def verification = new JsonSlurper().parse(out('lib-verified', 'verification.json').toFile())

        then: 'E-17 V7: AmdSev OVMF, 1 vCPU EPYC-v4, no kernel'
        r.exitCode == 0
        digest == '19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d'

        and: 'the launch is an SNP launch with the signed ID block'
        line.contains('sev-snp-guest')
        line.contains("id-block=${Files.readString(out('lib-idblock', 'idblock/id-block.base64')).trim()}")
        line.contains('author-key-enabled=on')

        and: 'the report (1184 bytes) carries the policy at 0x08 and the digest at 0x90; the VCEK signature over 0x000..0x29F verifies'
        report.length == 1184
        ByteBuffer.wrap(report, 0x08, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == 0x30000L
        HexFormat.of().formatHex(report, 0x90, 0x90 + 48) == digest
        ecdsaP384(vcek, Arrays.copyOfRange(report, 0, 0x2A0), report, 0x2A0)
        !ecdsaP384(vcek, Arrays.copyOfRange(report, 0, 0x29F), report, 0x2A0)

        and: 'the verification says SIMULATED and checked the measurement'
        verification.verified == true
        verification.SIMULATED.contains('not by AMD')
        verification.checks.find { it.check == 'measurement' }.ok == true
    }

    def "verify: a given report is checked against AMD's roots only (a SIMULATED one fails at the ARK); one of another digest fails its measurement check"() {
        when: 'a SIMULATED report handed to snp.verify as if it came from a guest'
        def given = run('given', """
            def one = snp.expected(ovmf: file('${OVMF}'), prefix: 'one')
            def s = snpSimulate('one-report') { measurement one.measurement; at '2026-01-01T00:00:00Z' }
            snp.verify(measurement: one.measurement, report: s.report, vcek: s.vcek, chain: s.chain, at: '2026-01-01T00:00:00Z', prefix: 'one')
        """)

        then:
        given.exitCode == 1
        (given.out + given.err).contains('snp.verify: report.bin NOT verified: ark (')
        !(given.out + given.err).contains('Exception')

        when: 'the test chain trusted explicitly, but the report is of a 2-vCPU launch'
        def other = run('other', """
            def one = snp.expected(ovmf: file('${OVMF}'), prefix: 'one')
            def two = snp.expected(ovmf: file('${OVMF}'), vcpus: 2, prefix: 'two')
            def s = snpSimulate('two-report') { measurement two.measurement; at '2026-01-01T00:00:00Z' }
            snpVerify('mismatch') { report s.report; vcek s.vcek; chain s.chain; measurement one.measurement; at '2026-01-01T00:00:00Z'; trustSimulated true }
        """)

        then:
        other.exitCode == 1
        (other.out + other.err).contains('snp.verify: report.bin NOT verified: measurement (')
        !Files.exists(out('mismatch', 'verification.json'))
    }

    def "a recipe call with a wrong type is one line at the caller's line"() {
        when:
        def r = run('typo', "    snp.expected(ovmf: file('${OVMF}'), vcpus: 'two')")

        then:
        r.exitCode == 1
        (r.out + r.err).contains("typo.groovy:3")
        (r.out + r.err).contains("recipe snp.expected: parameter 'vcpus' must be a number")
    }

    /** SNP signature at {@code off}: R then S, 72 bytes each, little-endian; ECDSA P-384 with SHA-384. */
    private static boolean ecdsaP384(X509Certificate cert, byte[] message, byte[] report, int off) {
        def r = new BigInteger(1, littleEndian(report, off, 72))
        def s = new BigInteger(1, littleEndian(report, off + 72, 72))
        def der = new org.bouncycastle.asn1.DERSequence([new org.bouncycastle.asn1.ASN1Integer(r), new org.bouncycastle.asn1.ASN1Integer(s)] as org.bouncycastle.asn1.ASN1Encodable[]).encoded
        def v = Signature.getInstance('SHA384withECDSA')
        v.initVerify(cert.publicKey)
        v.update(message)
        v.verify(der)
    }

    private static byte[] littleEndian(byte[] b, int off, int len) {
        byte[] be = new byte[len]
        for (int i = 0; i < len; i++) be[i] = b[off + len - 1 - i]
        be
    }
}
