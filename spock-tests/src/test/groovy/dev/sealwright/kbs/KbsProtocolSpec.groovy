package dev.sealwright.kbs

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Duration

/**
 * The broker over loopback with SIMULATED TDX quotes: a grant, then every kind of bad request and
 * bad evidence refused with its reason in the reply and in the audit log, the server serving on.
 */
class KbsProtocolSpec extends Specification {
    @TempDir
    Path dir
    @AutoCleanup
    KbsFixture kbs

    def setup() {
        kbs = new KbsFixture(dir)
    }

    byte[] quoteFor(byte[] reportData) { kbs.quotes.quote(reportData) }

    /** challenge with a fresh key, then attest with evidence made by {@code evidence(reportData)}; returns the attest reply. */
    KbsClient.Reply exchange(Closure<byte[]> evidence) {
        def key = SecretEnvelope.newKeyPair()
        byte[] pub = SecretEnvelope.encodePoint(key.public)
        def c = kbs.client.challenge('luks-root', 'tdx', pub)
        assert c.status() == 200
        byte[] nonce = c.body().get('nonce').asText().decodeBase64()
        kbs.client.attest(nonce, evidence(EvidenceVerifier.expectedReportData(nonce, pub)))
    }

    boolean grantStillWorks() {
        new String(kbs.client.fetch('luks-root', 'tdx', { rd -> quoteFor(rd) }), StandardCharsets.UTF_8) == KbsFixture.SECRET
    }

    def "a SIMULATED TDX quote binding nonce and key gets the secret; the audit line names the grant but not the value"() {
        when:
        byte[] secret = kbs.client.fetch('luks-root', 'tdx', { rd -> quoteFor(rd) })

        then:
        new String(secret, StandardCharsets.UTF_8) == KbsFixture.SECRET
        def a = kbs.audit()
        a.size() == 1
        a[0].verdict == 'grant' && a[0].resource == 'luks-root' && a[0].tee == 'tdx' && a[0].SIMULATED == true
        a[0].tcb_status == 'UpToDate'
        a[0].tee_key ==~ /[0-9a-f]{16}/
        !Files.readString(kbs.dir.resolve('audit.log')).contains('horse')
    }

    def "raw HTTP: #what is refused with #status and the broker keeps serving"() {
        when:
        def reply = RawHttp.send(kbs.server.port(), request)

        then:
        reply.startsWith("HTTP/1.1 ${status}")
        RawHttp.error(reply).contains(reason)
        kbs.audit().last().verdict == 'refuse'
        kbs.audit().last().reason.contains(reason)
        grantStillWorks()

        where:
        what                  | status | reason                        | request
        'garbage JSON'        | 400    | 'request body is not JSON'    | RawHttp.post('/kbs/v0/challenge', 'not json at all {{{')
        'a JSON array'        | 400    | 'must be a JSON object'       | RawHttp.post('/kbs/v0/attest', '[1,2,3]')
        'oversized body'      | 413    | 'exceeds 65536'               | RawHttp.post('/kbs/v0/attest', '{"nonce":"' + 'A' * 70000 + '"}')
        'a missing field'     | 400    | '"evidence" is missing'       | RawHttp.post('/kbs/v0/attest', '{"nonce":"AAAA"}')
        'a bad public key'    | 400    | 'tee_pubkey: not an uncompressed P-256 point' | RawHttp.post('/kbs/v0/challenge', '{"version":"sealwright-kbs/2","resource":"luks-root","tee":"tdx","tee_pubkey":"AAAA"}')
        'an unknown resource' | 404    | 'unknown resource'            | RawHttp.post('/kbs/v0/challenge', '{"version":"sealwright-kbs/2","resource":"unused","tee":"tdx","tee_pubkey":"' + validKey() + '"}')
        'an unsupported TEE'  | 400    | 'tee "sgx" is not supported'  | RawHttp.post('/kbs/v0/challenge', '{"version":"sealwright-kbs/2","resource":"luks-root","tee":"sgx","tee_pubkey":"' + validKey() + '"}')
        'another version'     | 400    | 'protocol version "sealwright-kbs/3" is not supported: this broker speaks sealwright-kbs/2 (HPKE, RFC 9180)' | RawHttp.post('/kbs/v0/challenge', '{"version":"sealwright-kbs/3","resource":"luks-root","tee":"tdx","tee_pubkey":"' + validKey() + '"}')
        'GET'                 | 405    | 'only POST'                   | 'GET /kbs/v0/attest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
        'an unknown endpoint' | 404    | 'no such endpoint'            | RawHttp.post('/kbs/v0/resource/x', '{}')
    }

    def "a client of the retired sealwright-kbs/v1 envelope gets a one-line refusal naming the versions, not a reply it would misread"() {
        when: 'the challenge exactly as the v1 kbs-client sent it (no "version")'
        def reply = RawHttp.send(kbs.server.port(), RawHttp.post('/kbs/v0/challenge',
                '{"resource":"luks-root","tee":"tdx","tee_pubkey":"' + validKey() + '"}'))

        then:
        reply.startsWith('HTTP/1.1 400')
        RawHttp.error(reply) == 'the request names no "version" (a client of the retired sealwright-kbs/v1 envelope): ' +
                'this broker speaks sealwright-kbs/2 (HPKE, RFC 9180); update the client'
        !reply.contains('nonce')
        kbs.audit().last().verdict == 'refuse'
        grantStillWorks()
    }

    def "a truncated request body is refused and the broker keeps serving"() {
        when: 'Content-Length promises 200 bytes, 20 arrive, the client stops sending'
        def reply = RawHttp.sendTruncated(kbs.server.port(), '/kbs/v0/attest', 200, '{"nonce":"AAAAAAAA",')

        then:
        reply == '' || reply.startsWith('HTTP/1.1 400')
        kbs.audit().last().reason.startsWith('truncated request body')
        grantStillWorks()
    }

    def "nonces: a wrong one, a replayed one and an expired one are refused"() {
        when: 'a nonce the broker never issued'
        def key = SecretEnvelope.newKeyPair()
        byte[] pub = SecretEnvelope.encodePoint(key.public)
        def wrong = kbs.client.attest(new byte[32], quoteFor(new byte[64]))

        then:
        wrong.status() == 401
        wrong.error() == 'unknown nonce (not issued by this broker)'

        when: 'a nonce used once successfully, then replayed with the same evidence'
        def c = kbs.client.challenge('luks-root', 'tdx', pub)
        byte[] nonce = c.body().get('nonce').asText().decodeBase64()
        byte[] quote = quoteFor(EvidenceVerifier.expectedReportData(nonce, pub))
        def first = kbs.client.attest(nonce, quote)
        def replay = kbs.client.attest(nonce, quote)

        then:
        first.status() == 200
        replay.status() == 401
        replay.error() == 'nonce already used (replay)'

        when: 'a nonce used after its 30 s lifetime'
        def c2 = kbs.client.challenge('luks-root', 'tdx', pub)
        byte[] nonce2 = c2.body().get('nonce').asText().decodeBase64()
        kbs.clock.now = kbs.clock.now + Duration.ofSeconds(31)
        def late = kbs.client.attest(nonce2, quoteFor(EvidenceVerifier.expectedReportData(nonce2, pub)))

        then:
        late.status() == 401
        late.error().startsWith('nonce expired at ')
        kbs.audit()*.verdict == ['refuse', 'grant', 'refuse', 'refuse']
        kbs.audit()*.status == [401, 200, 401, 401]
    }

    def "one nonce attested by 16 clients at once is granted exactly once"() {
        given:
        def key = SecretEnvelope.newKeyPair()
        byte[] pub = SecretEnvelope.encodePoint(key.public)
        byte[] nonce = kbs.client.challenge('luks-root', 'tdx', pub).body().get('nonce').asText().decodeBase64()
        byte[] quote = quoteFor(EvidenceVerifier.expectedReportData(nonce, pub))
        def start = new java.util.concurrent.CountDownLatch(1)
        def pool = java.util.concurrent.Executors.newFixedThreadPool(16)

        when:
        def futures = (1..16).collect { pool.submit({ start.await(); kbs.client.attest(nonce, quote) } as java.util.concurrent.Callable) }
        start.countDown()
        def replies = futures*.get()
        pool.shutdown()

        then:
        replies.count { it.status() == 200 } == 1
        replies.findAll { it.status() != 200 }*.error().every { it == 'nonce already used (replay)' }
        kbs.audit()*.verdict.count { it == 'grant' } == 1
        kbs.audit().size() == 16
    }

    def "evidence refused: #what"() {
        when:
        def reply = exchange(evidence.curry(this))

        then:
        reply.status() == 403 || reply.status() == 400
        reply.error().startsWith(reason)
        kbs.audit().last().verdict == 'refuse'
        kbs.audit().last().reason == reply.error()
        grantStillWorks()

        where:
        what                                  | reason                                        | evidence
        'REPORTDATA of another nonce and key' | 'binding: evidence REPORTDATA is not SHA-512' | { self, rd -> self.quoteFor(new byte[64]) }
        'a tampered quote (RTMR byte flipped)'| 'attestation: quote-signature'                | { self, rd -> byte[] q = self.quoteFor(rd); q[48 + 376] ^= 1; q }
        'an MRTD the policy does not expect'  | 'policy: MRTD is '                            | { self, rd -> self.kbs.quotes.provider().quote(rd, new byte[48], KbsFixture.rtmrs()).toBytes() }
        'an RTMR0 the policy does not expect' | 'policy: RTMR0 is '                           | { self, rd -> self.kbs.quotes.provider().quote(rd, KbsFixture.hex(KbsFixture.MRTD), [new byte[48]] * 4 as byte[][]).toBytes() }
        'a TD with DEBUG on'                  | 'policy: TD has DEBUG set'                    | { self, rd -> self.kbs.quotes.provider().quote(rd, KbsFixture.hex(KbsFixture.MRTD), KbsFixture.rtmrs(), true).toBytes() }
        'a truncated quote'                   | 'evidence is not a DCAP quote'                | { self, rd -> Arrays.copyOf(self.quoteFor(rd), 600) }
        'bytes that are not a quote'          | 'evidence is not a DCAP quote'                | { self, rd -> 'garbage'.bytes }
        'a real Intel quote (dcap-qvl sample)'| 'attestation: '                               | { self, rd -> Files.readAllBytes(Repo.fixture('dcap/dcap-qvl/tdx_quote')) }
    }

    def "a SIMULATED quote is refused when the policy does not trust the simulated root"() {
        given:
        kbs.close()
        kbs = new KbsFixture(dir, [:])

        when:
        def reply = exchange { rd -> quoteFor(rd) }

        then:
        reply.status() == 403
        reply.error().startsWith('attestation: pck-chain: ')
        reply.error().endsWith('(SIMULATED quote; the policy does not set tdx.trust_simulated)')
        kbs.audit().last().reason == reply.error()
    }

    def "a TCB status outside the resource's list is refused"() {
        given: 'the resource accepts only OutOfDate; the SIMULATED platform is UpToDate'
        kbs.close()
        kbs = new KbsFixture(dir, [trust_simulated: true], [tcb_status: ['OutOfDate']])

        when:
        def reply = exchange { rd -> quoteFor(rd) }

        then:
        reply.status() == 403
        reply.error().startsWith('policy: TCB status UpToDate is not accepted')
    }

    def "SNP: a real Milan report (virtee/sev) verifies to AMD's ARK but does not bind the nonce, so it is refused"() {
        given:
        kbs.close()
        Files.writeString(dir.resolve('snp-policy.json'), groovy.json.JsonOutput.toJson([
                snp: [cert_chain: Repo.fixture('snp/virtee-sev/cert_chain_milan').toString()],
                resources: [disk: [tee: 'snp', measurement: MILAN_MEASUREMENT]]]))
        Files.writeString(dir.resolve('snp-secrets.json'), '{"disk":"x"}')
        Files.setPosixFilePermissions(dir.resolve('snp-secrets.json'), PosixFilePermissions.fromString('rw-------'))
        def server = KbsServer.start(KbsPolicy.read(dir.resolve('snp-policy.json')), KbsSecrets.read(dir.resolve('snp-secrets.json')),
                dir.resolve('snp-secrets.json'), AuditLog.to(new ByteArrayOutputStream()), java.time.Clock.systemUTC(),
                new InetSocketAddress('127.0.0.1', 0), null)
        def client = new KbsClient(server.url())
        byte[] report = HexFormat.of().parseHex(Files.readString(Repo.fixture('snp/virtee-sev/report_milan.hex')).trim())
        byte[] vcek = Files.readAllBytes(Repo.fixture('snp/virtee-sev/vcek_milan.der'))
        byte[] pub = SecretEnvelope.encodePoint(SecretEnvelope.newKeyPair().public)

        when:
        def c = client.challenge('disk', 'snp', pub)
        def reply = client.post(KbsServer.ATTEST, [nonce: c.body().get('nonce').asText(),
                evidence: report.encodeBase64().toString(), vcek: vcek.encodeBase64().toString()])
        def noVcek = client.attest(new byte[32], report)

        then:
        c.status() == 200
        reply.status() == 403
        reply.error() == 'binding: evidence REPORT_DATA is not SHA-512(nonce ‖ TEE public key)'
        noVcek.status() == 401

        cleanup:
        server?.close()
    }

    def "startup refuses a group-readable secrets file, bad JSON and policy typos with one line naming the file"() {
        given:
        def secrets = dir.resolve('secrets.json')
        def policy = dir.resolve('policy.json')

        when:
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString('rw-r--r--'))
        KbsSecrets.read(secrets)

        then:
        def e1 = thrown(RecipeException)
        e1.message == "${secrets}: secrets file has mode rw-r--r--; it must be 0600 (chmod 600 ${secrets})".toString()

        when:
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString('rw-------'))
        Files.writeString(secrets, '{"luks-root": "s3cr3t-value", }')
        KbsSecrets.read(secrets)

        then:
        def e2 = thrown(RecipeException)
        e2.message.startsWith("${secrets}: not valid JSON at line 1".toString())
        !e2.message.contains('s3cr3t')
        e2.message.lines().count() == 1

        when:
        Files.writeString(policy, '{"resources": {"luks-root": {"tee": "tdx", "mrtd": "00", "alow_debug": true}}, "tdx": {"collateral": "collateral.json"}}')
        KbsPolicy.read(policy)

        then:
        def e3 = thrown(RecipeException)
        e3.message == "${policy}: unknown key \"resources.luks-root.alow_debug\" (allowed: tee, mrtd, rtmr0, rtmr1, rtmr2, rtmr3, xfam, allow_debug, tcb_status)".toString()

        when:
        Files.writeString(policy, '{"resources": {"luks-root": {"tee": "tdx"}}, "tdx": {"collateral": "collateral.json"}}')
        KbsPolicy.read(policy)

        then:
        def e4 = thrown(RecipeException)
        e4.message == "${policy}: resources.luks-root.mrtd is required (a secret must be bound to a measurement)".toString()

        when:
        Files.writeString(policy, '{"resources": ')
        KbsPolicy.read(policy)

        then:
        def e5 = thrown(RecipeException)
        e5.message.startsWith("${policy}: invalid JSON at line 1 column 15".toString())
        e5.message.lines().count() == 1
    }

    /** MEASUREMENT of report_milan.hex as published in ../shared/fixtures/README.md, E-11. */
    static final String MILAN_MEASUREMENT = '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f'

    static String validKey() {
        SecretEnvelope.encodePoint(SecretEnvelope.newKeyPair().public).encodeBase64().toString()
    }
}
