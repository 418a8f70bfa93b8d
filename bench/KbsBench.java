import dev.sealwright.kbs.AuditLog;
import dev.sealwright.kbs.EvidenceVerifier;
import dev.sealwright.kbs.KbsClient;
import dev.sealwright.kbs.KbsPolicy;
import dev.sealwright.kbs.KbsSecrets;
import dev.sealwright.kbs.KbsServer;
import dev.sealwright.kbs.KbsStore;
import dev.sealwright.kbs.SimulatedQuoteService;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Broker load: args CLIENTS SECONDS WARMUP_SECONDS [STALLED]. One resource (and secret) per client; each client
 * loops over the full exchange (challenge → SIMULATED quote → attest → decrypt) over loopback HTTP.
 * Counts grants on both sides: every reply must decrypt to that client's secret, every granted
 * nonce must be distinct, and the audit log must hold exactly one grant line per client-side grant.
 * With STALLED > 0, a second measured phase of the same length runs while STALLED connections from
 * 127.0.0.2 and up (32 per address) each hold half a request (headers and part of a body, or half a
 * request line), and a third after they went away (the first phase still carries JIT compilation);
 * the phases are printed side by side, and each stalled connection must be held open for the whole
 * phase and audited as truncated once it goes away.
 */
public class KbsBench {
    static java.util.Map<Long, Long> threadCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        var m = new java.util.HashMap<Long, Long>();
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t >= 0) m.put(id, t);
        }
        return m;
    }

    /** What the client threads record while a phase is measured. */
    static final java.util.concurrent.atomic.AtomicBoolean measuring = new java.util.concurrent.atomic.AtomicBoolean(false);
    static final java.util.Queue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final AtomicLong grants = new AtomicLong(), measuredGrants = new AtomicLong();

    /** One measured phase: rate, latency percentiles and CPU per grant. */
    record Phase(String name, double seconds, long grants, List<Long> sorted, long minPerSecond, long maxPerSecond, long processCpu, long brokerCpu,
                 java.util.Map<String, Long> split) {
        /** Where the process's CPU went: broker threads, store threads, load driver, the rest (GC, JIT, VM), as % of the process. */
        String splitRow() {
            var sb = new StringBuilder(String.format("%-22s", name));
            long accounted = 0;
            for (var e : split.entrySet()) {
                sb.append(String.format(" %s %.0f%%", e.getKey(), 100.0 * e.getValue() / Math.max(1, processCpu)));
                accounted += e.getValue();
            }
            return sb.append(String.format(" other (GC, JIT, VM) %.0f%%; process %.2f cores", 100.0 * (processCpu - accounted) / Math.max(1, processCpu),
                    processCpu / 1e9 / seconds)).toString();
        }

        double rate() { return grants / seconds; }
        double p(double q) { return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * q) - 1)) / 1e6; }
        String row() {
            long n = Math.max(1, grants);
            return String.format("%-22s %9.0f %8.1f %8.1f %8.1f %9d-%-5d %8.2f %8.2f", name, rate(), p(0.5), p(0.99),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6, minPerSecond, maxPerSecond, processCpu / 1e6 / n, brokerCpu / 1e6 / n);
        }
    }

    static Phase measure(String name, double seconds) throws InterruptedException {
        var osBean = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.util.Map<Long, Long> cpuBefore = threadCpu();
        long processCpuBefore = osBean.getProcessCpuTime();
        latencies.clear();
        measuredGrants.set(0);
        measuring.set(true);
        long start = System.nanoTime();
        List<Long> perSecond = new ArrayList<>();
        long last = grants.get();
        for (int s = 0; s < (int) seconds; s++) {
            Thread.sleep(1000);
            long g = grants.get();
            perSecond.add(g - last);
            last = g;
        }
        Thread.sleep((long) ((seconds - (int) seconds) * 1000));
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        long processCpu = osBean.getProcessCpuTime() - processCpuBefore;
        java.util.Map<Long, Long> cpuAfter = threadCpu();
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        for (Thread th : Thread.getAllStackTraces().keySet()) names.put(th.getId(), th.getName());
        long brokerCpu = 0;
        var split = new java.util.LinkedHashMap<String, Long>();
        for (String g : List.of("broker", "store", "driver")) split.put(g, 0L);
        for (var e : cpuAfter.entrySet()) {
            String n = names.getOrDefault(e.getKey(), "");
            long used = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
            if (n.equals("kbs") || n.startsWith("kbs-io") || n.startsWith("kbs-accept")) {
                brokerCpu += used;
                split.merge("broker", used, Long::sum);
            } else if (n.startsWith("kbs-audit") || n.startsWith("H2 ") || n.startsWith("MVStore") || n.startsWith("kbs-store") || n.startsWith("HikariPool") || n.startsWith("H2-")) {
                split.merge("store", used, Long::sum);
            } else if (n.startsWith("client-") || n.startsWith("HttpClient") || n.startsWith("sim")) {
                split.merge("driver", used, Long::sum);
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Phase(name, elapsed / 1e9, measuredGrants.get(), sorted, perSecond.stream().mapToLong(Long::longValue).min().orElse(0),
                perSecond.stream().mapToLong(Long::longValue).max().orElse(0), processCpu, brokerCpu, split);
    }

    /** A connection from {@code source} that sends half a request and then nothing. */
    static java.net.Socket stall(int port, String source, boolean headers) throws java.io.IOException {
        var s = new java.net.Socket(java.net.InetAddress.getByName("127.0.0.1"), port, java.net.InetAddress.getByName(source), 0);
        String half = headers ? "POST /kbs/v0/attest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"nonce\":\"AA"
                : "POST /kbs/v0/att";
        s.getOutputStream().write(half.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    static boolean heldOpen(java.net.Socket s) throws java.io.IOException {
        s.setSoTimeout(1);
        try {
            return s.getInputStream().read() < -1;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }

    /** challenge on {@code first}, attest on {@code second}, decrypt: the secret. */
    static byte[] exchange(KbsClient first, KbsClient second, String resource, SimulatedQuoteService quotes) throws Exception {
        var key = dev.sealwright.kbs.SecretEnvelope.newKeyPair();
        byte[] pub = dev.sealwright.kbs.SecretEnvelope.encodePoint(key.getPublic());
        var c = first.challenge(resource, "tdx", pub);
        if (c.status() != 200) throw new IllegalStateException("challenge: " + c.status() + " " + c.error());
        byte[] nonce = java.util.Base64.getDecoder().decode(c.body().get("nonce").asText());
        var r = second.attest(nonce, quotes.quote(EvidenceVerifier.expectedReportData(nonce, pub)));
        if (r.status() != 200) throw new IllegalStateException("attest: " + r.status() + " " + r.error());
        return KbsClient.open(r.body(), key, nonce, resource);
    }

    public static void main(String[] a) throws Exception {
        int clients = Integer.parseInt(a[0]);
        double seconds = Double.parseDouble(a[1]), warmup = Double.parseDouble(a[2]);
        int stalledCount = a.length > 3 ? Integer.parseInt(a[3]) : 0;
        int replicaCount = a.length > 4 ? Integer.parseInt(a[4]) : 1;
        Path dir = Files.createTempDirectory("kbs-bench");
        String storeSpec = a.length > 5 && !a[5].isEmpty() ? a[5] : "h2:" + dir.resolve("state/broker");
        String mrtd = "ab".repeat(48);
        var quotes = SimulatedQuoteService.start(new InetSocketAddress("127.0.0.1", 0), java.util.HexFormat.of().parseHex(mrtd),
                new byte[][]{new byte[48], new byte[48], new byte[48], new byte[48]}, false);
        quotes.collateral().writeQvlJson(dir.resolve("collateral.json"));
        var policy = new StringBuilder("{\"tdx\":{\"collateral\":\"collateral.json\",\"trust_simulated\":true},\"resources\":{");
        var secrets = new StringBuilder("{");
        for (int i = 0; i < clients; i++) {
            policy.append(i == 0 ? "" : ",").append("\"r").append(i).append("\":{\"tee\":\"tdx\",\"mrtd\":\"").append(mrtd).append("\"}");
            secrets.append(i == 0 ? "" : ",").append("\"r").append(i).append("\":\"secret-of-client-").append(i).append("\"");
        }
        Files.writeString(dir.resolve("policy.json"), policy.append("}}"));
        Files.writeString(dir.resolve("secrets.json"), secrets.append("}"));
        Files.setPosixFilePermissions(dir.resolve("secrets.json"), PosixFilePermissions.fromString("rw-------"));
        // deadlines longer than a phase, so the stalled connections stay open for all of it (the defaults would cut them after 10 s)
        var limits = stalledCount == 0 ? dev.sealwright.kbs.HttpFront.Limits.DEFAULT
                : new dev.sealwright.kbs.HttpFront.Limits(java.time.Duration.ofSeconds((long) (2 * seconds + 60)),
                java.time.Duration.ofSeconds((long) (2 * seconds + 60)), 64, 4096);
        // N replicas in this JVM, each with its own pool on the one store (as N processes would be), its own port and audit file
        byte[] kek = new byte[32];
        new java.security.SecureRandom().nextBytes(kek);
        String policySha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve("policy.json"))));
        List<KbsStore> stores = new ArrayList<>();
        List<KbsServer> servers = new ArrayList<>();
        List<Path> auditFiles = new ArrayList<>();
        for (int r = 0; r < replicaCount; r++) {
            stores.add(KbsStore.open(storeSpec, kek, "bench-" + r));
            auditFiles.add(dir.resolve("audit-" + r + ".log"));
            servers.add(KbsServer.start(KbsPolicy.read(dir.resolve("policy.json")), policySha, r == 0 ? KbsSecrets.read(dir.resolve("secrets.json")) : null,
                    dir.resolve("secrets.json"), stores.get(r), AuditLog.toFile(auditFiles.get(r)), Clock.systemUTC(), new InetSocketAddress("127.0.0.1", 0), null, limits));
        }
        var server = servers.get(0);
        var turn = new java.util.concurrent.atomic.AtomicInteger();

        var stop = new java.util.concurrent.atomic.AtomicBoolean(false);
        AtomicLong failures = new AtomicLong(), wrong = new AtomicLong();
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        AtomicLong duplicates = new AtomicLong();
        var done = new CountDownLatch(clients);
        var firstError = new java.util.concurrent.atomic.AtomicReference<String>();
        for (int i = 0; i < clients; i++) {
            String resource = "r" + i;
            byte[] expected = ("secret-of-client-" + i).getBytes(StandardCharsets.UTF_8);
            Thread t = new Thread(() -> {
                List<KbsClient> replicaClients = new ArrayList<>();
                for (KbsServer sv : servers) replicaClients.add(new KbsClient(sv.url()));
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        boolean m = measuring.get();
                        try {
                            // round-robin: the challenge on one replica, the attest on the next
                            int r = Math.floorMod(turn.getAndIncrement(), replicaCount);
                            byte[] secret = exchange(replicaClients.get(r), replicaClients.get((r + 1) % replicaCount), resource, quotes);
                            long e = System.nanoTime();
                            grants.incrementAndGet();
                            if (!Arrays.equals(secret, expected)) wrong.incrementAndGet();
                            if (m && measuring.get()) {
                                measuredGrants.incrementAndGet();
                                latencies.add(e - s);
                            }
                        } catch (Exception ex) {
                            failures.incrementAndGet();
                            firstError.compareAndSet(null, ex.toString());
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "client-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep((long) (warmup * 1000));
        long warmupGrants = grants.get();
        List<Phase> phases = new ArrayList<>();
        phases.add(measure("normal", seconds));
        List<java.net.Socket> stalled = new ArrayList<>();
        boolean allHeld = true;
        int openDuring = 0;
        if (stalledCount > 0) {
            for (int i = 0; i < stalledCount; i++) {
                stalled.add(stall(server.port(), "127.0.0." + (2 + i / 32), i % 2 == 0));
            }
            phases.add(measure(stalledCount + " stalled", seconds));
            openDuring = server.openConnections();
            for (var s : stalled) allHeld &= heldOpen(s);
            for (var s : stalled) s.close();
            phases.add(measure("normal, after", seconds));
        }
        long totalGrantsAtEnd = grants.get();
        stop.set(true);
        done.await();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stalledCount > 0 && System.nanoTime() < deadline
                && Files.readAllLines(auditFiles.get(0)).stream().filter(l -> l.contains("\"truncated request")).count() < stalledCount) {
            Thread.sleep(100);
        }
        var storeGrants = stores.get(0).auditCounts().getOrDefault("grant", 0L);
        var nonceStates = stores.get(0).nonceCounts(java.time.Instant.now());
        for (KbsServer sv : servers) sv.close();
        for (KbsStore st : stores) st.close();
        quotes.close();

        List<String> lines = new ArrayList<>();
        for (Path f : auditFiles) lines.addAll(Files.readAllLines(f));
        long auditGrants = 0, auditRefusals = 0, truncated = 0;
        for (String l : lines) {
            if (l.contains("\"verdict\":\"grant\"")) {
                auditGrants++;
                // the audit line carries the key fingerprint; distinct keys ⇒ no grant was issued twice
                int k = l.indexOf("\"tee_key\":\"");
                if (!nonces.add(l.substring(k + 11, k + 27) + l.substring(l.indexOf("\"resource\""), l.indexOf("\"status\"")))) duplicates.incrementAndGet();
            } else if (l.contains("\"reason\":\"truncated request") && l.matches(".*\"remote\":\"127\\.0\\.0\\.([2-9]|[1-9][0-9]+):.*")) {
                truncated++;
            } else {
                auditRefusals++;
            }
        }
        System.out.printf("clients: %d, each phase measured %.1f s after %.1f s warm-up; %d grants during warm-up, %d in all%n", clients, seconds, warmup,
                warmupGrants, totalGrantsAtEnd);
        System.out.printf("%-22s %9s %8s %8s %8s %15s %8s %8s%n", "phase", "grants/s", "p50 ms", "p99 ms", "max ms", "per-second", "CPU ms", "broker");
        for (Phase ph : phases) System.out.println(ph.row());
        System.out.println("CPU split (share of the process's CPU time; the load driver signs the SIMULATED quotes and decrypts):");
        for (Phase ph : phases) System.out.println(ph.splitRow());
        System.out.println("(latency per full exchange: challenge + SIMULATED quote + attest + decrypt; CPU per grant: whole JVM, and broker threads alone; target >= 300 grants/s with p99 < 1 s)");
        Phase base = phases.get(phases.size() - 1);
        System.out.printf("projection from the last phase, NOT a measurement: %d idle cores would serve %.0f grants/s to this in-JVM driver, %.0f/s if the broker had them alone%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors() * 1e9 / (base.processCpu / (double) Math.max(1, base.grants)),
                Runtime.getRuntime().availableProcessors() * 1e9 / (base.brokerCpu / (double) Math.max(1, base.grants)));
        if (stalledCount > 0) {
            System.out.printf("stalled connections: %d opened, server held %d connections at the end of the phase, all still open and unanswered: %s; audited as truncated after they left: %d%n",
                    stalledCount, openDuring, allHeld, truncated);
        }
        System.out.printf("grants: client-side %d, audit log %d; lost (client errors) %d; wrong secret %d; duplicated grants %d; other audit refusals %d%n",
                grants.get(), auditGrants, failures.get(), wrong.get(), duplicates.get(), auditRefusals);
        System.out.printf("store %s, %d replica(s): audit-table grants %d; nonces %s%n", stores.get(0).describe(), replicaCount, storeGrants, nonceStates);
        if (firstError.get() != null) System.out.println("first client error: " + firstError.get());
        boolean ok = grants.get() == auditGrants && storeGrants == auditGrants && failures.get() == 0 && wrong.get() == 0 && duplicates.get() == 0 && auditRefusals == 0
                && (stalledCount == 0 || (allHeld && openDuring >= stalledCount && truncated == stalledCount));
        System.out.println(ok ? "accounting: OK (every grant counted once on both sides, none lost, none duplicated)" : "accounting: MISMATCH");
        System.exit(ok ? 0 : 1);
    }
}
