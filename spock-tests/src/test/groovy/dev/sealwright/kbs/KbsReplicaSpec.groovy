package dev.sealwright.kbs

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Postgres
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.sql.DriverManager
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong

/**
 * Three `kbs serve` processes on one store (a real PostgreSQL server, or one embedded H2 file shared
 * by the processes) behind 50 round-robin clients running the full exchange (challenge on one replica,
 * attest on the next); one replica is killed with SIGKILL mid-load and restarted. Accounting against
 * the store's audit table, read with plain SQL: no lost grant (every reply the clients got is a grant
 * row), none twice, every grant row is a distinct nonce consumed once; a nonce consumed on one replica
 * is refused (401) on another.
 */
class KbsReplicaSpec extends Specification {
    static final int CLIENTS = 50
    static final String KEK = '5e' * 32

    @TempDir
    Path dir
    @Shared
    Postgres pg
    List<Process> replicas = [null, null, null]
    /** Each replica's port: 0 (the kernel chooses) for a first start, as read from its log after; a restart reuses it. */
    List<Integer> ports = [0, 0, 0]
    SimulatedQuoteService quotes

    def cleanupSpec() {
        pg?.close()
    }

    def cleanup() {
        replicas.each { it?.destroyForcibly()?.waitFor(30, TimeUnit.SECONDS) }
        quotes?.close()
    }

    String store(String kind) {
        if (kind == 'postgresql') {
            pg = pg ?: new Postgres()
            return pg.createDatabase("replicas${System.nanoTime()}")
        }
        return "h2:${dir.resolve('state/broker')}".toString()
    }

    /** The JDBC URL (for reading the store directly from the test) of a --store value. */
    String jdbc(String store) {
        store.startsWith('h2:') ? "jdbc:h2:file:${store.substring(3)};AUTO_SERVER=TRUE".toString() : store
    }

    void startReplica(int i, String store) {
        Path home = Files.createDirectories(dir.resolve("replica${i}"))
        Files.deleteIfExists(home.resolve('cli.log'))
        replicas[i] = Cli.start(home, 'kbs', 'serve', '--policy', dir.resolve('policy.json').toString(), '--secrets', dir.resolve('secrets.json').toString(),
                '--store', store, '--kek-file', dir.resolve('kek').toString(), '--replica', "r${i}".toString(), '--port', "${ports[i]}".toString(),
                '--audit-log', 'audit.log')
    }

    /** Waits for replica {@code i} to listen and records the port it listens on. */
    void awaitListening(int i) {
        Path log = dir.resolve("replica${i}/cli.log")
        long deadline = System.currentTimeMillis() + 120_000
        def listening = ~/kbs: listening on http:\/\/127\.0\.0\.1:(\d+) /
        while (!(Files.exists(log) && Files.readString(log) =~ listening)) {
            assert replicas[i].alive, "replica ${i} exited: ${Files.exists(log) ? Files.readString(log) : ''}"
            assert System.currentTimeMillis() < deadline, "replica ${i} did not start in 120 s: ${Files.readString(log)}"
            sleep(100)
        }
        int port = (Files.readString(log) =~ listening)[0][1] as int
        assert ports[i] == 0 || ports[i] == port
        ports[i] = port
    }

    def "three replicas, 50 round-robin clients, one replica SIGKILLed and restarted mid-load: #kind"() {
        given: 'a policy with one resource and secret per client, the KEK in a 0600 file, three replicas on one store'
        quotes = SimulatedQuoteService.start(new InetSocketAddress('127.0.0.1', 0), KbsFixture.hex(KbsFixture.MRTD), KbsFixture.rtmrs(), false)
        quotes.collateral().writeQvlJson(dir.resolve('collateral.json'))
        def resources = (0..<CLIENTS).collectEntries { ["r${it}".toString(), [tee: 'tdx', mrtd: KbsFixture.MRTD, rtmr0: KbsFixture.RTMR0]] }
        Files.writeString(dir.resolve('policy.json'), groovy.json.JsonOutput.toJson([tdx: [collateral: 'collateral.json', trust_simulated: true], resources: resources]))
        Files.writeString(dir.resolve('secrets.json'), groovy.json.JsonOutput.toJson((0..<CLIENTS).collectEntries { ["r${it}".toString(), "secret-of-${it}".toString()] }))
        Files.writeString(dir.resolve('kek'), KEK + '\n')
        [dir.resolve('secrets.json'), dir.resolve('kek')].each { Files.setPosixFilePermissions(it, PosixFilePermissions.fromString('rw-------')) }
        String store = store(kind)
        // each replica binds a port the kernel chooses (--port 0): ports probed free and released before the replicas
        // bound them could be taken in between, e.g. by the first replica's H2 server (AUTO_SERVER binds port 0)
        startReplica(0, store)
        awaitListening(0) // the first one migrates the schema (and, for H2, serves the file to the others)
        startReplica(1, store)
        startReplica(2, store)
        (1..2).each { awaitListening(it) }
        def clients = ports.collect { new KbsClient(URI.create("http://127.0.0.1:${it}")) }

        when: 'a nonce issued and consumed on replica 0 is replayed on replica 1'
        def key = SecretEnvelope.newKeyPair()
        byte[] pub = SecretEnvelope.encodePoint(key.public)
        byte[] nonce = clients[0].challenge('r0', 'tdx', pub).body().get('nonce').asText().decodeBase64()
        byte[] quote = quotes.quote(EvidenceVerifier.expectedReportData(nonce, pub))
        def first = clients[0].attest(nonce, quote)
        def replay = clients[1].attest(nonce, quote)

        then:
        first.status() == 200
        replay.status() == 401
        replay.error() == 'nonce already used (replay)'

        when: 'one nonce attested on all three replicas at once'
        byte[] raced = clients[0].challenge('r1', 'tdx', pub).body().get('nonce').asText().decodeBase64()
        byte[] racedQuote = quotes.quote(EvidenceVerifier.expectedReportData(raced, pub))
        def go = new java.util.concurrent.CountDownLatch(1)
        def replies = Collections.synchronizedList([])
        def racers = clients.collect { c -> Thread.start { go.await(); replies << c.attest(raced, racedQuote) } }
        go.countDown()
        racers*.join(60_000)

        then: 'exactly one replica grants it'
        replies.size() == 3
        replies.count { it.status() == 200 } == 1
        replies.findAll { it.status() != 200 }.every { it.status() == 401 && it.error() == 'nonce already used (replay)' }

        when: '50 clients run the full exchange round-robin; replica 2 is SIGKILLed after 300 grants and restarted'
        def stop = new AtomicBoolean(false)
        def granted = new ConcurrentHashMap<String, Integer>() // nonce → attesting replica, as the clients saw it
        def duplicates = new AtomicLong(), wrong = new AtomicLong(), failed = new AtomicLong(), afterRestart = new AtomicLong()
        def refusals = new ConcurrentHashMap<String, Integer>() // any 4xx/5xx reply: none is expected, a dead replica only breaks connections
        def restarted = new AtomicBoolean(false)
        def turn = new AtomicInteger()
        def threads = (0..<CLIENTS).collect { int n ->
            Thread.start {
                String resource = "r${n}"
                byte[] expected = "secret-of-${n}".getBytes(StandardCharsets.UTF_8)
                while (!stop.get()) {
                    int r = Math.floorMod(turn.getAndIncrement(), 3)
                    try {
                        def k = SecretEnvelope.newKeyPair()
                        byte[] p = SecretEnvelope.encodePoint(k.public)
                        def c = clients[r].challenge(resource, 'tdx', p)
                        if (c.status() != 200) { refusals.merge("${c.status()} ${c.error()}".toString(), 1, Integer::sum); continue }
                        byte[] nn = c.body().get('nonce').asText().decodeBase64()
                        int attestOn = (r + 1) % 3
                        boolean restartedBefore = restarted.get()
                        def a = clients[attestOn].attest(nn, quotes.quote(EvidenceVerifier.expectedReportData(nn, p)))
                        if (a.status() != 200) { refusals.merge("${a.status()} ${a.error()}".toString(), 1, Integer::sum); continue }
                        if (!Arrays.equals(KbsClient.open(a.body(), k, nn, resource), expected)) wrong.incrementAndGet()
                        if (granted.putIfAbsent(nn.encodeBase64().toString(), attestOn) != null) duplicates.incrementAndGet()
                        if (restartedBefore && attestOn == 2) afterRestart.incrementAndGet()
                    } catch (IOException e) {
                        failed.incrementAndGet() // the killed replica's connections: not acknowledged, the client starts over
                        sleep(20)
                    }
                }
            }
        }
        long killAt = System.currentTimeMillis() + 120_000
        while (granted.size() < 300 && System.currentTimeMillis() < killAt) sleep(50)
        int beforeKill = granted.size()
        replicas[2].toHandle().destroyForcibly() // SIGKILL
        replicas[2].waitFor(30, TimeUnit.SECONDS)
        sleep(1000)
        startReplica(2, store)
        awaitListening(2)
        restarted.set(true)
        long waitUntil = System.currentTimeMillis() + 60_000
        while (afterRestart.get() < 20 && System.currentTimeMillis() < waitUntil) sleep(200)
        sleep(2000)
        stop.set(true)
        threads*.join(120_000)

        and: 'the store, read with plain SQL'
        def rows = []
        def consumed = [:]
        DriverManager.getConnection(jdbc(store)).withCloseable { c ->
            c.createStatement().withCloseable { st ->
                st.executeQuery("SELECT nonce, replica FROM kbs_audit WHERE verdict = 'grant'").withCloseable { rs -> while (rs.next()) rows << [rs.getString(1), rs.getString(2)] }
                st.executeQuery("SELECT nonce, consumed_by FROM kbs_nonce WHERE state = 'consumed'").withCloseable { rs -> while (rs.next()) consumed[rs.getString(1)] = rs.getString(2) }
            }
        }
        def auditNonces = rows.collect { it[0] }
        println "${kind}: ${granted.size()} grants (${beforeKill} before the kill, ${afterRestart.get()} on the restarted replica), " +
                "${failed.get()} exchanges cut by the dead replica, refusals ${refusals}, ${auditNonces.size()} audit grant rows"

        then: 'every grant a client received is in the audit log exactly once, consumed by the replica that granted it'
        beforeKill >= 300
        afterRestart.get() >= 20
        duplicates.get() == 0
        wrong.get() == 0
        refusals.isEmpty()
        auditNonces.size() == auditNonces.toSet().size()
        granted.keySet().every { auditNonces.count(it) == 1 }
        rows.every { n, replica -> consumed[n] == replica }
        granted.every { n, r -> consumed[n] == "r${r}" }

        and: 'a grant row no client saw can only come from the killed replica (committed, then killed before its reply)'
        (auditNonces.toSet() - granted.keySet() - [nonce.encodeBase64().toString(), raced.encodeBase64().toString()]).every { n -> rows.find { it[0] == n }[1] == 'r2' }

        where:
        kind << ['postgresql', 'h2']
    }
}
