package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.dcap.IntelRootCa;
import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.attest.dcap.QuoteVerification;
import dev.sealwright.attest.dcap.QuoteVerifier;
import dev.sealwright.attest.dcap.QuotePolicy;
import dev.sealwright.attest.sim.SimulatedTdxProvider;
import dev.sealwright.kbs.AuditLog;
import dev.sealwright.kbs.KbsPolicy;
import dev.sealwright.kbs.KbsSecrets;
import dev.sealwright.kbs.KbsServer;
import dev.sealwright.kbs.SecretEnvelope;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JSON a user or a guest gives: tag 0 = a quote policy file ({@code quote verify --policy}),
 * checked against dcap-qvl's verified quote; tag 1 = a key-broker policy ({@code kbs serve
 * --policy}); tag 2 / 3 = the body of a challenge / attest request, POSTed to a broker on
 * 127.0.0.1 (in an attest body the text {@code @NONCE@} becomes a freshly issued nonce). The broker
 * answers a request it cannot take with 4xx; a 500 means an exception escaped its checks.
 */
class PolicyKbsFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("policy-kbs");
    private static final Instant AT = Instant.parse("2025-07-19T10:00:34Z");
    private static final Quote QUOTE = Quote.readFile(Fuzz.fixture("dcap/dcap-qvl/tdx_quote"));
    private static final QuoteVerification VERIFIED = new QuoteVerifier(IntelRootCa.pinned())
            .verify(QUOTE, Collateral.read(Fuzz.fixture("dcap/dcap-qvl/tdx_quote_collateral.json")), AT);
    private static final SimulatedTdxProvider SIM = new SimulatedTdxProvider(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2035-01-01T00:00:00Z"));
    private static final String MRTD = "ab".repeat(48);
    private static KbsServer server;
    private static HttpClient http;
    private static String challenge;
    private static boolean brokerAllowed;

    static Stream<Arguments> seeds() throws Exception {
        start();
        List<byte[]> s = new ArrayList<>();
        s.add(Fuzz.tagged(0, ("{\"tdx\": {\"mrtd\": \"" + hex(QUOTE.tdBody().mrTd()) + "\", \"rtmr0\": \"" + hex(QUOTE.tdBody().rtmr0())
                + "\", \"xfam\": \"" + hex(QUOTE.tdBody().xfam()) + "\", \"allow_debug\": false}}").getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(0, ("{\"mr_td\": \"" + "00".repeat(48) + "\", \"report_data\": \"" + "00".repeat(64) + "\"}").getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(1, Fuzz.read(Fuzz.scratchDir().resolve("kbs-policy.json"))));
        s.add(Fuzz.tagged(1, ("{\"nonce_ttl_seconds\": 30, \"snp\": {\"cert_chain\": \"" + Fuzz.fixture("snp/go-sev-guest/milan.testcer")
                + "\"}, \"resources\": {\"s\": {\"tee\": \"snp\", \"measurement\": \"" + MRTD + "\", \"allow_debug\": true}}}").getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(2, challenge.getBytes(StandardCharsets.UTF_8)));
        byte[] quote = SIM.quote(new byte[64], Base64.getDecoder().decode(Base64.getEncoder().encodeToString(new byte[48])),
                new byte[][] {new byte[48], new byte[48], new byte[48], new byte[48]}).toBytes();
        s.add(Fuzz.tagged(3, ("{\"nonce\": \"@NONCE@\", \"evidence\": \"" + Base64.getEncoder().encodeToString(quote) + "\"}").getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(3, ("{\"nonce\": \"@NONCE@\", \"evidence\": \"" + Base64.getEncoder().encodeToString(Fuzz.fixtureBytes("snp/go-sev-guest/attestation.bin"))
                + "\", \"vcek\": \"" + Base64.getEncoder().encodeToString(Fuzz.fixtureBytes("snp/go-sev-guest/vcek.testcer")) + "\"}").getBytes(StandardCharsets.UTF_8)));
        return Fuzz.seeds(s);
    }

    /** A broker for SIMULATED TDX quotes, with one resource, on a free loopback port. */
    private static synchronized void start() throws Exception {
        if (server != null) return;
        Path dir = Fuzz.scratchDir();
        Path collateral = dir.resolve("sim-collateral.json");
        SIM.collateral(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2035-01-01T00:00:00Z"), List.of()).writeQvlJson(collateral);
        Path policy = dir.resolve("kbs-policy.json");
        Files.writeString(policy, "{\"nonce_ttl_seconds\": 60, \"tdx\": {\"collateral\": \"" + collateral + "\", \"trust_simulated\": true},"
                + " \"resources\": {\"disk\": {\"tee\": \"tdx\", \"mrtd\": \"" + MRTD + "\", \"tcb_status\": [\"UpToDate\", \"OutOfDate\"]}}}");
        Path secrets = dir.resolve("secrets.json");
        Files.writeString(secrets, "{\"disk\": \"fuzz-secret\"}");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        server = KbsServer.start(KbsPolicy.read(policy), KbsSecrets.read(secrets), secrets, AuditLog.to(OutputStream.nullOutputStream()),
                Clock.systemUTC(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        ECPublicKey k = (ECPublicKey) ec.generateKeyPair().getPublic();
        byte[] point = new byte[65];
        point[0] = 4;
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, k.getW().getAffineX()), 0, point, 1, 32);
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, k.getW().getAffineY()), 0, point, 33, 32);
        challenge = "{\"version\": \"" + SecretEnvelope.PROTOCOL + "\", \"resource\": \"disk\", \"tee\": \"tdx\", \"tee_pubkey\": \"" + Base64.getEncoder().encodeToString(point) + "\"}";
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        start();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        switch (data[0] & 3) {
            case 0 -> Fuzz.expectOneLine(() -> QuotePolicy.none().withJson(Fuzz.scratch("policy.json", body)).check(QUOTE, VERIFIED));
            case 1 -> Fuzz.expectOneLine(() -> KbsPolicy.read(Fuzz.scratch("kbs.json", body)));
            case 2 -> post(KbsServer.CHALLENGE, body);
            default -> {
                String nonce = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                        .readTree(post(KbsServer.CHALLENGE, challenge.getBytes(StandardCharsets.UTF_8))).get("nonce").asText();
                String text = new String(body, StandardCharsets.ISO_8859_1).replace("@NONCE@", nonce);
                post(KbsServer.ATTEST, text.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    /**
     * Jazzer's SSRF detector reports every connection a target opens unless it is allowed. Ours go to
     * our own broker; the client reconnects whenever the broker closes a kept-alive connection (or a
     * request timed out), which made a CI-style run report "SSRF: localhost:PORT" (7 Dec). Any other
     * destination, e.g. one taken from a request body, is still a finding. BugDetectors looks the
     * detector up once, when first used: before Jazzer's agent has loaded it (while the seeds are
     * made, or a replay without the agent) there is nothing to allow, and touching BugDetectors then
     * would disable it for the whole JVM.
     */
    private static synchronized void allowBrokerConnections() {
        if (brokerAllowed) return;
        try {
            Class.forName("com.code_intelligence.jazzer.sanitizers.ServerSideRequestForgery");
        } catch (ClassNotFoundException noAgentYet) {
            return;
        }
        int port = server.url().getPort();
        BugDetectors.allowNetworkConnections((host, p) -> p == port && isLoopback(host));
        brokerAllowed = true;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * One request to the broker. Its timeout is longer than libFuzzer's per-input {@code -timeout}
     * (fuzz.timeout, 10 s), which is the hang detector while fuzzing: the first requests load and
     * instrument the broker's classes, and took more than 10 s on a loaded machine (a CI-style run,
     * 7 Dec), which is no hang of the broker.
     */
    private static String post(String path, byte[] body) throws Exception {
        allowBrokerConnections();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 500) throw new AssertionError("broker answered " + r.statusCode() + " " + r.body() + " to " + path);
        return r.body();
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    @AfterAll
    static void report() throws Exception {
        COUNTER.report();
        if (server != null) server.close();
    }
}
