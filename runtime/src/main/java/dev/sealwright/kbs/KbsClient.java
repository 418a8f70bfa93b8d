package dev.sealwright.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.OneLine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The broker protocol from the client side, in Java (the guest uses the C {@code kbs-client}; this
 * one serves host-side tools, tests and the load driver). {@link #fetch} runs challenge → evidence →
 * attest → decrypt; a refusal is a {@link KbsRefusal} carrying the broker's status and reason.
 */
public final class KbsClient {
    /** Produces evidence (a quote or report) whose REPORTDATA is the given 64 bytes. */
    public interface EvidenceSource {
        byte[] evidence(byte[] reportData) throws Exception;
    }

    /** A raw reply: HTTP status and the JSON body. */
    public record Reply(int status, JsonNode body) {
        public String error() {
            return body.path("error").asText(null);
        }
    }

    private final URI broker;
    private final HttpClient http;

    public KbsClient(URI broker) {
        this(broker, null);
    }

    /** For an https broker: {@code tls} decides which server certificates are trusted (null: the JDK's defaults). */
    public KbsClient(URI broker, javax.net.ssl.SSLContext tls) {
        this.broker = broker;
        var b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    public Reply post(String path, Map<String, Object> body) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(broker.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.canonical(body))).build();
        var resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(resp.statusCode(), Json.MAPPER.readTree(resp.body()));
    }

    public Reply challenge(String resource, String tee, byte[] teePublicKey) throws IOException, InterruptedException {
        var m = new LinkedHashMap<String, Object>();
        m.put("version", SecretEnvelope.PROTOCOL);
        m.put("resource", resource);
        m.put("tee", tee);
        m.put("tee_pubkey", b64(teePublicKey));
        return post(KbsServer.CHALLENGE, m);
    }

    public Reply attest(byte[] nonce, byte[] evidence) throws IOException, InterruptedException {
        var m = new LinkedHashMap<String, Object>();
        m.put("nonce", b64(nonce));
        m.put("evidence", b64(evidence));
        return post(KbsServer.ATTEST, m);
    }

    /** The whole exchange with a fresh P-256 key; returns the decrypted secret. */
    public byte[] fetch(String resource, String tee, EvidenceSource source) throws Exception {
        KeyPair key = SecretEnvelope.newKeyPair();
        byte[] pub = SecretEnvelope.encodePoint(key.getPublic());
        Reply c = challenge(resource, tee, pub);
        if (c.status() != 200) {
            throw new KbsRefusal(c.status(), c.error());
        }
        byte[] nonce = Base64.getDecoder().decode(c.body().get("nonce").asText());
        Reply a = attest(nonce, source.evidence(EvidenceVerifier.expectedReportData(nonce, pub)));
        if (a.status() != 200) {
            throw new KbsRefusal(a.status(), a.error());
        }
        return open(a.body(), key, nonce, resource);
    }

    /** Decrypts an attest reply with the TEE key; a reply of another protocol version is refused by name. */
    public static byte[] open(JsonNode reply, KeyPair key, byte[] nonce, String resource) throws GeneralSecurityException {
        String version = reply.path("version").asText("");
        if (!version.equals(SecretEnvelope.PROTOCOL)) {
            throw new GeneralSecurityException("the broker's reply is not " + SecretEnvelope.PROTOCOL + " (version \""
                    + OneLine.of(version) + "\"): broker and client speak different protocol versions");
        }
        var env = new SecretEnvelope(unb64(reply, "enc"), unb64(reply, "ciphertext"));
        return env.open(key.getPrivate(), nonce, resource);
    }

    private static byte[] unb64(JsonNode n, String key) {
        return Base64.getDecoder().decode(n.get(key).asText());
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
