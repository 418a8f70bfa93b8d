import dev.sealwright.kbs.AuditLog;
import dev.sealwright.kbs.EvidenceVerifier;
import dev.sealwright.kbs.KbsClient;
import dev.sealwright.kbs.KbsPolicy;
import dev.sealwright.kbs.KbsSecrets;
import dev.sealwright.kbs.KbsServer;
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
 * Broker load: args CLIENTS SECONDS WARMUP_SECONDS. One resource (and secret) per client; each client
 * loops over the full exchange (challenge → SIMULATED quote → attest → decrypt) over loopback HTTP.
 * Counts grants on both sides: every reply must decrypt to that client's secret, every granted
 * nonce must be distinct, and the audit log must hold exactly one grant line per client-side grant.
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

    public static void main(String[] a) throws Exception {
        int clients = Integer.parseInt(a[0]);
        double seconds = Double.parseDouble(a[1]), warmup = Double.parseDouble(a[2]);
        Path dir = Files.createTempDirectory("kbs-bench");
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
        Path auditFile = dir.resolve("audit.log");
        var server = KbsServer.start(KbsPolicy.read(dir.resolve("policy.json")), KbsSecrets.read(dir.resolve("secrets.json")),
                dir.resolve("secrets.json"), AuditLog.toFile(auditFile), Clock.systemUTC(), new InetSocketAddress("127.0.0.1", 0), null);

        var measuring = new java.util.concurrent.atomic.AtomicBoolean(false);
        var stop = new java.util.concurrent.atomic.AtomicBoolean(false);
        AtomicLong grants = new AtomicLong(), measuredGrants = new AtomicLong(), failures = new AtomicLong(), wrong = new AtomicLong();
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        AtomicLong duplicates = new AtomicLong();
        List<List<Long>> latencies = new ArrayList<>();
        var done = new CountDownLatch(clients);
        var firstError = new java.util.concurrent.atomic.AtomicReference<String>();
        for (int i = 0; i < clients; i++) {
            List<Long> mine = new ArrayList<>();
            latencies.add(mine);
            String resource = "r" + i;
            byte[] expected = ("secret-of-client-" + i).getBytes(StandardCharsets.UTF_8);
            Thread t = new Thread(() -> {
                var client = new KbsClient(server.url());
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        boolean m = measuring.get();
                        try {
                            byte[] secret = client.fetch(resource, "tdx", rd -> {
                                return quotes.quote(rd);
                            });
                            long e = System.nanoTime();
                            grants.incrementAndGet();
                            if (!Arrays.equals(secret, expected)) wrong.incrementAndGet();
                            if (m && measuring.get()) {
                                measuredGrants.incrementAndGet();
                                mine.add(e - s);
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
        var osBean = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.util.Map<Long, Long> cpuBefore = threadCpu();
        long processCpuBefore = osBean.getProcessCpuTime();
        long warmupGrants = grants.get();
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
        long totalGrantsAtEnd = grants.get();
        stop.set(true);
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        for (Thread th : Thread.getAllStackTraces().keySet()) names.put(th.getId(), th.getName());
        long brokerCpu = 0;
        for (var e : cpuAfter.entrySet()) {
            String name = names.getOrDefault(e.getKey(), "");
            if (name.equals("kbs") || name.startsWith("HTTP-Dispatcher")) {
                brokerCpu += e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
            }
        }
        done.await();
        server.close();
        quotes.close();

        List<String> lines = Files.readAllLines(auditFile);
        long auditGrants = 0, auditRefusals = 0;
        for (String l : lines) {
            if (l.contains("\"verdict\":\"grant\"")) {
                auditGrants++;
                // the audit line carries the key fingerprint; distinct keys ⇒ no grant was issued twice
                int k = l.indexOf("\"tee_key\":\"");
                if (!nonces.add(l.substring(k + 11, k + 27) + l.substring(l.indexOf("\"resource\""), l.indexOf("\"status\"")))) duplicates.incrementAndGet();
            } else {
                auditRefusals++;
            }
        }
        List<Long> all = new ArrayList<>();
        latencies.forEach(all::addAll);
        Collections.sort(all);
        double rate = measuredGrants.get() / (elapsed / 1e9);
        System.out.printf("clients: %d, measured: %.1f s after %.1f s warm-up%n", clients, elapsed / 1e9, warmup);
        System.out.printf("grants/s: %.0f (target >= 300/s, ratio %.2f); per-second min %d, max %d; %d grants during warm-up, %d in all%n", rate, rate / 300,
                perSecond.stream().mapToLong(Long::longValue).min().orElse(0), perSecond.stream().mapToLong(Long::longValue).max().orElse(0), warmupGrants,
                totalGrantsAtEnd);
        if (!all.isEmpty()) {
            System.out.printf("latency per full exchange (challenge + SIMULATED quote + attest + decrypt): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    all.get(all.size() / 2) / 1e6, all.get((int) Math.min(all.size() - 1, Math.ceil(all.size() * 0.99) - 1)) / 1e6,
                    all.get(all.size() - 1) / 1e6);
        }
        long n = Math.max(1, measuredGrants.get());
        System.out.printf("CPU per grant: %.2f ms in the whole JVM (driver + SIMULATED quoting + broker + GC/JIT), %.2f ms in broker threads%n",
                processCpu / 1e6 / n, brokerCpu / 1e6 / n);
        System.out.printf("projection, NOT a measurement: %d idle cores would serve %.0f grants/s to this in-JVM driver, %.0f/s if the broker had them alone%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors() * 1e9 / (processCpu / (double) n),
                Runtime.getRuntime().availableProcessors() * 1e9 / (brokerCpu / (double) n));
        System.out.printf("grants: client-side %d, audit log %d; lost (client errors) %d; wrong secret %d; duplicated grants %d; audit refusals %d%n",
                grants.get(), auditGrants, failures.get(), wrong.get(), duplicates.get(), auditRefusals);
        if (firstError.get() != null) System.out.println("first client error: " + firstError.get());
        boolean ok = grants.get() == auditGrants && failures.get() == 0 && wrong.get() == 0 && duplicates.get() == 0 && auditRefusals == 0;
        System.out.println(ok ? "accounting: OK (every grant counted once on both sides, none lost, none duplicated)" : "accounting: MISMATCH");
        System.exit(ok ? 0 : 1);
    }
}
