package dev.sealwright.kbs

import java.net.InetSocketAddress
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Clock
import java.time.Instant
import java.time.ZoneOffset

/** A broker on loopback with SIMULATED TDX quotes: policy, 0600 secrets, audit log, a settable clock. */
class KbsFixture implements Closeable {
    static final String MRTD = 'ab' * 48, RTMR0 = 'cd' * 48, SECRET = 'correct horse battery staple'

    /** A clock tests can move forward (nonce expiry). */
    static class MovableClock extends Clock {
        volatile Instant now = Instant.now()
        ZoneOffset getZone() { ZoneOffset.UTC }
        Clock withZone(java.time.ZoneId z) { this }
        Instant instant() { now }
    }

    /**
     * When set (by a spec's setupSpec, e.g. {@link KbsPostgresProtocolSpec}), each fixture's broker keeps its state in
     * the store this returns the {@code --store} value of (a fresh database); otherwise in its own in-memory store.
     */
    static Closure<String> storeFactory

    final Path dir
    KbsStore store
    final SimulatedQuoteService quotes
    final MovableClock clock = new MovableClock()
    KbsServer server
    KbsClient client

    KbsFixture(Path dir, Map<String, Object> tdxOptions = [trust_simulated: true], Map<String, Object> rule = [:], boolean debugTd = false,
               HttpFront.Limits limits = HttpFront.Limits.DEFAULT) {
        this.dir = dir
        quotes = SimulatedQuoteService.start(new InetSocketAddress('127.0.0.1', 0), hex(MRTD), rtmrs(), debugTd)
        quotes.collateral().writeQvlJson(dir.resolve('collateral.json'))
        def policy = [nonce_ttl_seconds: 30, tdx: [collateral: 'collateral.json'] + tdxOptions,
                      resources: ['luks-root': [tee: 'tdx', mrtd: MRTD, rtmr0: RTMR0] + rule]]
        Files.writeString(dir.resolve('policy.json'), groovy.json.JsonOutput.toJson(policy))
        Files.writeString(dir.resolve('secrets.json'), groovy.json.JsonOutput.toJson(['luks-root': SECRET, unused: 'never released']))
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))
        def policyFile = dir.resolve('policy.json'), secretsFile = dir.resolve('secrets.json')
        if (storeFactory == null) {
            server = KbsServer.start(KbsPolicy.read(policyFile), KbsSecrets.read(secretsFile),
                    secretsFile, AuditLog.toFile(dir.resolve('audit.log')), clock, new InetSocketAddress('127.0.0.1', 0), null, limits)
        } else {
            byte[] kek = new byte[32]
            new java.security.SecureRandom().nextBytes(kek)
            store = KbsStore.open(storeFactory.call(), kek, 'fixture')
            server = KbsServer.start(KbsPolicy.read(policyFile), HexFormat.of().formatHex(java.security.MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(policyFile))),
                    KbsSecrets.read(secretsFile), secretsFile, store, AuditLog.toFile(dir.resolve('audit.log')), clock, new InetSocketAddress('127.0.0.1', 0), null, limits)
        }
        client = new KbsClient(server.url())
    }

    static byte[] hex(String s) { HexFormat.of().parseHex(s) }

    static byte[][] rtmrs() { [hex(RTMR0), new byte[48], new byte[48], new byte[48]] as byte[][] }

    List<Map> audit() {
        Files.readAllLines(dir.resolve('audit.log')).collect { new groovy.json.JsonSlurper().parseText(it) as Map }
    }

    void close() {
        server?.close()
        store?.close()
        quotes.close()
    }
}
