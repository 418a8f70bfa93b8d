package dev.sealwright.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attestation-gated key broker over HTTP/JSON (protocol in docs/kbs.md, modelled on trustee
 * KBS's RCAR): {@code POST /kbs/v0/challenge} issues a single-use nonce for a resource, TEE type
 * and TEE public key; {@code POST /kbs/v0/attest} takes the evidence, appraises it
 * ({@link EvidenceVerifier}) and answers with the secret sealed to the TEE key
 * ({@link SecretEnvelope}). Every grant and refusal goes to the {@link AuditLog}; a refusal is a
 * 4xx JSON {@code {"error": reason}} and never stops the server. The transport ({@link HttpFront})
 * reads whole requests without tying up a worker, with deadlines and per-address connection limits.
 */
public final class KbsServer implements AutoCloseable {
    public static final int MAX_BODY = 64 * 1024;
    public static final String CHALLENGE = "/kbs/v0/challenge", ATTEST = "/kbs/v0/attest";

    private final KbsPolicy policy;
    private final KbsStore store;
    private final boolean ownsStore;
    private final int policyVersion;
    private final EvidenceVerifier verifier;
    private final AuditLog audit;
    private final Clock clock;
    private final HttpFront front;
    /** Writes the store rows of transport refusals, which are decided on event-loop threads that must never wait for the database. */
    private final java.util.concurrent.ThreadPoolExecutor transportAudit = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "kbs-audit");
                t.setDaemon(true);
                return t;
            }, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
    private final boolean tls;

    private KbsServer(KbsPolicy policy, KbsStore store, boolean ownsStore, int policyVersion, AuditLog audit, Clock clock,
                      InetSocketAddress address, SSLContext tlsContext, HttpFront.Limits limits, int threads) {
        this.policy = policy;
        this.store = store;
        this.ownsStore = ownsStore;
        this.policyVersion = policyVersion;
        this.audit = audit;
        this.clock = clock;
        this.verifier = new EvidenceVerifier(policy);
        this.tls = tlsContext != null;
        this.front = HttpFront.start("kbs", address, tlsContext, limits, MAX_BODY, threads, this::handle, this::refuse);
    }

    /**
     * Starts a broker whose state lives only in this JVM ({@link KbsStore#ephemeral()}, closed with
     * it). Every resource in the policy must have a secret ({@code secretsFile} is named in the
     * error); secrets without a policy entry are never released.
     */
    public static KbsServer start(KbsPolicy policy, KbsSecrets secrets, Path secretsFile, AuditLog audit, Clock clock,
                                  InetSocketAddress address, SSLContext tls) {
        return start(policy, secrets, secretsFile, audit, clock, address, tls, HttpFront.Limits.DEFAULT);
    }

    /** As above with explicit transport limits (deadlines, connections per address and in all). */
    public static KbsServer start(KbsPolicy policy, KbsSecrets secrets, Path secretsFile, AuditLog audit, Clock clock,
                                  InetSocketAddress address, SSLContext tls, HttpFront.Limits limits) {
        KbsStore store = KbsStore.ephemeral();
        try {
            return start(policy, "0".repeat(64), secrets, secretsFile, store, true, audit, clock, address, tls, limits);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Starts a replica on a shared {@code store} (the caller closes it after the server): the
     * policy (identified by the SHA-256 hex of its file) is put in force; {@code secrets}, when not
     * null, are sealed into the store first. Every policy resource must then have a secret there.
     */
    public static KbsServer start(KbsPolicy policy, String policySha256, KbsSecrets secrets, Path secretsFile, KbsStore store,
                                  AuditLog audit, Clock clock, InetSocketAddress address, SSLContext tls, HttpFront.Limits limits) {
        return start(policy, policySha256, secrets, secretsFile, store, false, audit, clock, address, tls, limits);
    }

    private static KbsServer start(KbsPolicy policy, String policySha256, KbsSecrets secrets, Path secretsFile, KbsStore store,
                                   boolean ownsStore, AuditLog audit, Clock clock, InetSocketAddress address, SSLContext tls,
                                   HttpFront.Limits limits) {
        if (policy.tdx() != null && policy.tdx().collateral() == null) {
            throw new RecipeException("the policy's \"tdx\" section has no collateral: set tdx.collateral (a dcap-qvl JSON file or PCS directory)");
        }
        if (secrets != null) {
            for (String r : policy.resources().keySet()) {
                if (!secrets.has(r)) {
                    throw new RecipeException(secretsFile + ": no secret for resource \"" + r + "\" named in the policy");
                }
            }
        }
        int version;
        try {
            if (secrets != null) {
                store.putSecrets(secrets, clock.instant());
            }
            var stored = store.resources();
            for (String r : policy.resources().keySet()) {
                if (!stored.contains(r)) {
                    throw new RecipeException("kbs store: no secret for resource \"" + r + "\" named in the policy (start once with --secrets)");
                }
            }
            version = store.putPolicyInForce(policySha256, clock.instant());
        } catch (KbsRefusal storeDown) {
            throw new RecipeException("kbs store " + store.describe() + ": " + storeDown.getMessage());
        }
        int threads = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        return new KbsServer(policy, store, ownsStore, version, audit, clock, address, tls, limits, threads);
    }

    /** The version of this replica's policy in the store. */
    public int policyVersion() {
        return policyVersion;
    }

    public int port() {
        return front.address().getPort();
    }

    /** Connections open right now (idle, being read, or at a worker). */
    public int openConnections() {
        return front.openConnections();
    }

    public URI url() {
        String host = front.address().getAddress().getHostAddress();
        return URI.create((tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    private HttpFront.Response handle(HttpFront.Request req) {
        var ctx = new RequestContext(req.remote());
        try {
            String path = req.path();
            if (!path.equals(CHALLENGE) && !path.equals(ATTEST)) {
                throw new KbsRefusal(404, "no such endpoint " + path + " (POST " + CHALLENGE + " or " + ATTEST + ")");
            }
            if (!req.method().equals("POST")) {
                throw new KbsRefusal(405, req.method() + " " + path + ": only POST");
            }
            JsonNode body = body(req.body());
            return json(200, path.equals(CHALLENGE) ? challenge(body, ctx) : attest(body, ctx));
        } catch (KbsRefusal r) {
            record(ctx, ctx.entry(clock.instant(), "refuse", r.status(), r.getMessage()));
            return json(r.status(), Map.of("error", r.getMessage()));
        } catch (RuntimeException e) {
            record(ctx, ctx.entry(clock.instant(), "refuse", 500, "internal error: " + e.getClass().getSimpleName()));
            return json(500, Map.of("error", "internal error"));
        }
    }

    /** A refusal goes to the audit log and, when the store is reachable, to the store's audit table. */
    private void record(RequestContext ctx, AuditLog.Entry e) {
        audit.record(e);
        try {
            store.audit(e, ctx.nonce, policyVersion);
        } catch (KbsRefusal storeDown) {
            // the file/stderr line above still records it
        }
    }

    /**
     * A refusal by the transport (deadline, size, connection limit, malformed or truncated request): audited like any
     * other; its store row is written by a background thread (at most 10 000 queued; beyond that only the file line).
     */
    private HttpFront.Response refuse(String remote, int status, String reason) {
        var ctx = new RequestContext(remote);
        var e = ctx.entry(clock.instant(), "refuse", status, reason);
        audit.record(e);
        transportAudit.execute(() -> {
            try {
                store.audit(e, null, policyVersion);
            } catch (KbsRefusal storeDown) {
                // the file/stderr line above records it
            }
        });
        return json(status, Map.of("error", reason));
    }

    private Map<String, Object> challenge(JsonNode body, RequestContext ctx) {
        version(body);
        String resource = text(body, "resource");
        ctx.resource = resource;
        String tee = text(body, "tee");
        ctx.tee = tee;
        byte[] key = base64(body, "tee_pubkey");
        ctx.teeKey = fingerprint(key);
        try {
            SecretEnvelope.decodePoint(key);
        } catch (IllegalArgumentException e) {
            throw new KbsRefusal(400, "tee_pubkey: " + e.getMessage());
        }
        if (!tee.equals("tdx") && !tee.equals("snp")) {
            throw new KbsRefusal(400, "tee \"" + tee + "\" is not supported (tdx or snp)");
        }
        var rule = policy.resources().get(resource);
        if (rule == null) {
            throw new KbsRefusal(404, "unknown resource");
        }
        if (!rule.tee().equals(tee)) {
            throw new KbsRefusal(403, "resource is released only to tee " + rule.tee());
        }
        Instant now = clock.instant();
        var c = store.issue(resource, tee, key, now, now.plus(policy.nonceTtl()), 100_000);
        var m = new LinkedHashMap<String, Object>();
        m.put("version", SecretEnvelope.PROTOCOL);
        m.put("nonce", Base64.getEncoder().encodeToString(c.nonce()));
        m.put("expires", c.expires().toString());
        m.put("report_data", "sha512(nonce || tee_pubkey)");
        return m;
    }

    private Map<String, Object> attest(JsonNode body, RequestContext ctx) {
        byte[] nonce = base64(body, "nonce");
        byte[] evidence = base64(body, "evidence");
        byte[] vcek = body.hasNonNull("vcek") ? base64(body, "vcek") : null;
        ctx.nonce = Base64.getEncoder().encodeToString(nonce);
        var c = store.consume(nonce, clock.instant());
        ctx.resource = c.resource();
        ctx.tee = c.tee();
        ctx.teeKey = fingerprint(c.teePublicKey());
        var appraisal = verifier.appraise(c, policy.resources().get(c.resource()), evidence, vcek, clock.instant());
        ctx.tcbStatus = appraisal.tcbStatus();
        ctx.simulated = appraisal.simulated();
        if (store.policyInForce() != policyVersion) {
            throw new KbsRefusal(503, "this replica's policy (version " + policyVersion + ") is no longer in force; restart it with the current policy");
        }
        byte[] secret = store.secret(c.resource());
        var env = SecretEnvelope.seal(c.teePublicKey(), c.nonce(), c.resource(), secret);
        java.util.Arrays.fill(secret, (byte) 0);
        var m = new LinkedHashMap<String, Object>();
        m.put("version", SecretEnvelope.PROTOCOL);
        m.put("resource", c.resource());
        m.put("enc", Base64.getEncoder().encodeToString(env.enc()));
        m.put("ciphertext", Base64.getEncoder().encodeToString(env.ciphertext()));
        if (appraisal.tcbStatus() != null) {
            m.put("tcb_status", appraisal.tcbStatus());
        }
        if (appraisal.simulated()) {
            m.put("SIMULATED", true);
        }
        var grant = ctx.entry(clock.instant(), "grant", 200, null);
        store.audit(grant, ctx.nonce, policyVersion); // committed before the secret leaves: no grant without its row
        audit.record(grant);
        return m;
    }

    private static JsonNode body(byte[] raw) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new KbsRefusal(400, "request body is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new KbsRefusal(400, "request body must be a JSON object");
        }
        return n;
    }

    /**
     * The protocol version a challenge must name. A client of the retired "sealwright-kbs/v1"
     * envelope sends none and gets a one-line refusal instead of a reply it would misread.
     */
    private static void version(JsonNode body) {
        JsonNode v = body.get("version");
        if (v == null) {
            throw new KbsRefusal(400, "the request names no \"version\" (a client of the retired sealwright-kbs/v1 envelope): "
                    + "this broker speaks " + SecretEnvelope.PROTOCOL + " (HPKE, RFC 9180); update the client");
        }
        if (!v.isTextual() || !v.asText().equals(SecretEnvelope.PROTOCOL)) {
            String shown = v.toString().length() > 64 ? v.toString().substring(0, 64) + "…" : v.toString();
            throw new KbsRefusal(400, "protocol version " + OneLine.of(shown) + " is not supported: this broker speaks "
                    + SecretEnvelope.PROTOCOL + " (HPKE, RFC 9180)");
        }
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > 256) {
            throw new KbsRefusal(400, "\"" + key + "\" must be a non-empty string of at most 256 characters");
        }
        return v.asText();
    }

    private static byte[] base64(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new KbsRefusal(400, "\"" + key + "\" is missing (base64 string)");
        }
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw new KbsRefusal(400, "\"" + key + "\" is not base64");
        }
    }

    static String fingerprint(byte[] publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpFront.Response json(int status, Map<String, Object> body) {
        return new HttpFront.Response(status, "application/json", Json.canonical(body).getBytes(StandardCharsets.UTF_8));
    }

    /** Stops accepting, lets requests in flight finish for up to a second, closes the audit log (and an ephemeral store). */
    @Override
    public void close() throws IOException {
        front.close();
        transportAudit.shutdown();
        try {
            transportAudit.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        audit.close();
        if (ownsStore) {
            store.close();
        }
    }

    /** What is known about the request so far, for its audit line. */
    private static final class RequestContext {
        final String remote;
        String tee, teeKey, resource, tcbStatus, nonce;
        boolean simulated;

        RequestContext(String remote) {
            this.remote = remote;
        }

        AuditLog.Entry entry(Instant t, String verdict, int status, String reason) {
            return new AuditLog.Entry(t, remote, tee, teeKey, resource, verdict, status, reason, tcbStatus, simulated);
        }
    }
}
