package dev.sealwright.kbs

import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.charset.StandardCharsets
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors

/**
 * The broker against peers that open connections and stall (slowloris): stalled peers cost no
 * worker, honest clients keep their latency, every grant is audited exactly once, deadlines and the
 * per-address limit close what stalls, and the broker serves on after the stalled peers leave.
 * Stalled peers connect from 127.0.0.2 and up (Linux routes all of 127/8 to lo), honest clients
 * from 127.0.0.1, so each address stays within its connection limit.
 */
class KbsSlowClientSpec extends Specification {
    @TempDir
    Path dir
    @AutoCleanup
    KbsFixture kbs
    List<Socket> stalled = []

    def cleanup() {
        stalled*.close()
    }

    static final InetAddress LOOPBACK = InetAddress.getByName('127.0.0.1')

    /** A connection from {@code source} that sends {@code bytes} and then nothing more. */
    Socket stall(String source, String bytes) {
        def s = new Socket(LOOPBACK, kbs.server.port(), InetAddress.getByName(source), 0)
        s.soTimeout = 10_000
        s.outputStream.write(bytes.getBytes(StandardCharsets.US_ASCII))
        s.outputStream.flush()
        stalled << s
        s
    }

    static final String HALF_LINE = 'POST /kbs/v0/att'
    static final String HEADERS_AND_PART = 'POST /kbs/v0/attest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"nonce":"AA'

    /** True while the server has neither closed nor answered {@code s}. */
    static boolean heldOpen(Socket s) {
        s.soTimeout = 1
        try {
            s.inputStream.read()
            false
        } catch (SocketTimeoutException ignored) {
            true
        }
    }

    /** Reads what the server sends until it closes the connection. */
    static String replyOf(Socket s) {
        s.soTimeout = 10_000
        new String(s.inputStream.readAllBytes(), StandardCharsets.UTF_8)
    }

    /** Challenge, SIMULATED quote, attest, decrypt with a fresh key; returns the key's audit fingerprint. */
    String exchange(KbsClient client) {
        def key = SecretEnvelope.newKeyPair()
        byte[] pub = SecretEnvelope.encodePoint(key.public)
        def c = client.challenge('luks-root', 'tdx', pub)
        assert c.status() == 200
        byte[] nonce = c.body().get('nonce').asText().decodeBase64()
        def a = client.attest(nonce, kbs.quotes.quote(EvidenceVerifier.expectedReportData(nonce, pub)))
        assert a.status() == 200
        assert new String(KbsClient.open(a.body(), key, nonce, 'luks-root'), StandardCharsets.UTF_8) == KbsFixture.SECRET
        KbsServer.fingerprint(pub)
    }

    /** Each client runs {@code rounds} exchanges, all clients at once; returns the wall time in seconds. */
    double concurrently(java.util.concurrent.ExecutorService pool, List<KbsClient> clients, int rounds, List<String> granted, List<Long> latencies) {
        def go = new CountDownLatch(1)
        def futures = clients.collect { client ->
            pool.submit({
                go.await()
                rounds.times {
                    long t = System.nanoTime()
                    granted << exchange(client)
                    latencies << System.nanoTime() - t
                }
            } as Callable)
        }
        long start = System.nanoTime()
        go.countDown()
        futures*.get()
        (System.nanoTime() - start) / 1e9
    }

    boolean eventually(Closure<Boolean> condition) {
        long end = System.nanoTime() + 10_000_000_000L
        while (!condition() && System.nanoTime() < end) sleep(50)
        condition()
    }

    /**
     * Bound on the honest p99 beside the stalled peers. A broker whose stalled peers held its workers would
     * make honest clients wait for the stalled peers' 120 s deadline; a healthy one answers in about 0.2 s
     * (CI logs: p99 139-341 ms, once 658 ms at load average 21 on 2 cores). 10 s tells the two apart with
     * a margin of over 10x on the healthy side and 12x on the broken side; speed itself is measured in bench/.
     */
    static final long HONEST_P99_BOUND_NS = 10_000_000_000L

    def "256 stalled connections stay open while 50 honest clients run 200 full exchanges: p99 far below the stall deadline, every grant audited once, serving on after"() {
        given: 'deadlines longer than the test, so the stalled peers really stay for all of it'
        kbs = new KbsFixture(dir, [trust_simulated: true], [:], false,
                new HttpFront.Limits(Duration.ofSeconds(120), Duration.ofSeconds(120), 64, 4096))
        List<String> granted = Collections.synchronizedList([])
        def clients = (1..50).collect { new KbsClient(kbs.server.url()) }
        def pool = Executors.newFixedThreadPool(50)

        and: 'warm-up rounds of 100 exchanges until one takes under 0.8 s, at most 8 (JIT compilation would otherwise compete with the measured round for the cores)'
        int warmups = 0
        while (warmups < 8 && concurrently(pool, clients, 2, granted, Collections.synchronizedList([])) >= 0.8) warmups++
        int warmGrants = granted.size()

        when: '256 peers on 127.0.0.2-9 (32 each): half send headers and 12 of 4096 body bytes, half send half a request line'
        (0..<256).each { i -> stall("127.0.0.${2 + i % 8}", i % 2 == 0 ? HEADERS_AND_PART : HALF_LINE) }
        def accepted = eventually { kbs.server.openConnections() >= 256 + 50 }

        and: 'the 50 honest clients on 127.0.0.1 each run 4 full exchanges at once'
        List<Long> latencies = Collections.synchronizedList([])
        double seconds = concurrently(pool, clients, 4, granted, latencies)
        pool.shutdown()
        def sorted = latencies.sort()
        long p99 = sorted[(int) Math.ceil(sorted.size() * 0.99) - 1]
        println "KbsSlowClientSpec: after ${warmGrants} warm-up exchanges, 200 exchanges by 50 clients beside 256 stalled connections in ${String.format('%.2f', seconds)} s; " +
                "p50 ${sorted[sorted.size().intdiv(2)].intdiv(1_000_000)} ms, p99 ${p99.intdiv(1_000_000)} ms, max ${sorted[-1].intdiv(1_000_000)} ms; " +
                "load average ${new File('/proc/loadavg').text.split(' ')[0..2].join(' ')}"

        then: 'the broker accepted and still holds every stalled connection, unanswered'
        accepted
        stalled.every { heldOpen(it) }
        kbs.server.openConnections() >= 256

        and: 'honest latency stayed far below the stalled peers\' deadline (120 s), and the audit log holds exactly the client-side grants (warm-up and measured), each once'
        latencies.size() == 200
        assert p99 < HONEST_P99_BOUND_NS, "honest p99 ${p99.intdiv(1_000_000)} ms with 256 stalled connections open (load average ${new File('/proc/loadavg').text.split(' ')[0..2].join(' ')} on ${Runtime.runtime.availableProcessors()} cores)"
        def audit = kbs.audit()
        audit.findAll { it.verdict == 'grant' }*.tee_key.sort() == granted.sort()
        granted.size() == warmGrants + 200
        granted.toSet().size() == granted.size()
        audit.every { it.verdict == 'grant' }

        when: 'the stalled peers go away'
        stalled*.close()

        then: 'each is audited as a truncated request, their connections are gone, and the broker still grants'
        eventually { kbs.audit().count { it.verdict == 'refuse' } == 256 }
        def refusals = kbs.audit().findAll { it.verdict == 'refuse' }
        refusals.count { it.status == 400 && it.reason == 'truncated request body (12 of 4096 bytes)' } == 128
        refusals.count { it.status == 400 && it.reason == 'truncated request headers' } == 128
        refusals.every { it.remote ==~ /127\.0\.0\.[2-9]:\d+/ }
        eventually { kbs.server.openConnections() < 256 }
        exchange(new KbsClient(kbs.server.url())) ==~ /[0-9a-f]{16}/
        kbs.audit().count { it.verdict == 'grant' } == granted.size() + 1
    }

    def "deadlines: headers and body that do not arrive in time get 408 and are audited; a silent connection is closed unaudited"() {
        given:
        kbs = new KbsFixture(dir, [trust_simulated: true], [:], false, new HttpFront.Limits(Duration.ofSeconds(1), Duration.ofSeconds(1), 64, 4096))

        when:
        long start = System.nanoTime()
        def halfLine = stall('127.0.0.1', HALF_LINE)
        def partBody = stall('127.0.0.1', HEADERS_AND_PART)
        def silent = stall('127.0.0.1', '')
        def replies = [replyOf(halfLine), replyOf(partBody), replyOf(silent)]
        double seconds = (System.nanoTime() - start) / 1e9

        then:
        replies[0].startsWith('HTTP/1.1 408')
        RawHttp.error(replies[0]) == 'request headers not complete within 1 s'
        replies[1].startsWith('HTTP/1.1 408')
        RawHttp.error(replies[1]) == 'request body not complete within 1 s'
        replies[2] == ''
        seconds >= 0.9 && seconds < 10   // the 1 s deadline, with a 10x margin for a loaded host; a missing deadline ends in replyOf's 10 s read timeout
        kbs.audit()*.reason.sort() == ['request body not complete within 1 s', 'request headers not complete within 1 s']
        kbs.audit()*.status == [408, 408]
        exchange(kbs.client) ==~ /[0-9a-f]{16}/
    }

    def "connection limits: the fifth connection from one address gets 429, other addresses are served, a freed slot is usable again; over the total limit 503"() {
        given:
        kbs = new KbsFixture(dir, [trust_simulated: true], [:], false, new HttpFront.Limits(Duration.ofSeconds(30), Duration.ofSeconds(30), 4, 8))

        when: 'four stalled connections from 127.0.0.3, then a fifth'
        def four = (1..4).collect { stall('127.0.0.3', HALF_LINE) }
        assert eventually { kbs.server.openConnections() == 4 }
        def fifth = replyOf(stall('127.0.0.3', ''))

        then:
        fifth.startsWith('HTTP/1.1 429')
        RawHttp.error(fifth) == 'too many connections from 127.0.0.3 (limit 4)'
        kbs.audit().last().status == 429
        kbs.audit().last().remote.startsWith('127.0.0.3:')
        exchange(kbs.client) ==~ /[0-9a-f]{16}/

        when: 'one of the four leaves; 127.0.0.3 may connect again'
        four[0].close()
        assert eventually { kbs.audit().last().reason == 'truncated request headers' && kbs.server.openConnections() <= 4 }
        def again = stall('127.0.0.3', 'GET /kbs/v0/attest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')

        then:
        replyOf(again).startsWith('HTTP/1.1 405')

        when: 'eight connections in all (the limit) are open; a ninth from yet another address'
        assert eventually { kbs.server.openConnections() <= 4 }
        (kbs.server.openConnections()..<8).each { stall("127.0.0.${4 + it % 2}", HALF_LINE) }
        assert eventually { kbs.server.openConnections() == 8 }
        def ninth = replyOf(stall('127.0.0.6', ''))

        then:
        ninth.startsWith('HTTP/1.1 503')
        RawHttp.error(ninth) == 'too many connections (limit 8)'
    }

    def "a request pipelined behind another is not served: one reply, then the connection closes"() {
        given:
        kbs = new KbsFixture(dir)
        def get = 'GET /kbs/v0/attest HTTP/1.1\r\nHost: x\r\n\r\n'

        when:
        def reply = replyOf(stall('127.0.0.1', get + get))

        then:
        reply.startsWith('HTTP/1.1 405')
        reply.count('HTTP/1.1 ') == 1
        kbs.audit().size() == 1
        exchange(kbs.client) ==~ /[0-9a-f]{16}/
    }
}
