package dev.sealwright.attest.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sealwright.base.DaemonThreads;
import dev.sealwright.base.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Executors;

/**
 * A local HTTP JSON-RPC 2.0 endpoint standing in for the chain / registry a TD publishes its quote
 * to (SIMULATED: it stores nothing and checks no signature). Method {@value #METHOD} takes
 * {@code {"quote": "0x<hex>"}} and answers with the SHA-256 and size of the bytes it received, so the
 * publisher can check they arrived intact. Listens on 127.0.0.1 only.
 */
public final class JsonRpcTestEndpoint implements AutoCloseable {
    public static final String METHOD = "sealwright_publishQuote";
    public static final String LABEL = "SIMULATED local test endpoint";
    private static final int MAX_BODY = 1 << 20;

    private final HttpServer server;

    private JsonRpcTestEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts listening on 127.0.0.1:{@code port} (0: any free port). */
    public static JsonRpcTestEndpoint start(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        JsonRpcTestEndpoint e = new JsonRpcTestEndpoint(s);
        s.createContext("/", e::handle);
        s.setExecutor(Executors.newSingleThreadExecutor(DaemonThreads.named("json-rpc-endpoint")));
        s.start();
        return e;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            ObjectNode reply = answer(body);
            byte[] out = Json.MAPPER.writeValueAsBytes(reply);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
        }
    }

    /** The JSON-RPC response to one request body. */
    static ObjectNode answer(byte[] body) {
        ObjectNode reply = Json.MAPPER.createObjectNode().put("jsonrpc", "2.0");
        JsonNode req;
        try {
            if (body.length > MAX_BODY) return error(reply, -32600, "request larger than 1 MiB");
            req = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return error(reply, -32700, "parse error");
        }
        if (req == null || !req.isObject() || !"2.0".equals(req.path("jsonrpc").asText()) || !req.path("method").isTextual())
            return error(reply, -32600, "invalid request");
        reply.set("id", req.get("id"));
        if (!METHOD.equals(req.get("method").asText())) return error(reply, -32601, "method not found: " + req.get("method").asText());
        String hex = req.path("params").path("quote").asText("");
        byte[] quote;
        try {
            quote = HexFormat.of().parseHex(hex.startsWith("0x") ? hex.substring(2) : hex);
        } catch (IllegalArgumentException e) {
            return error(reply, -32602, "params.quote is not hex");
        }
        if (quote.length == 0) return error(reply, -32602, "params.quote is empty");
        reply.putObject("result").put("accepted", true).put("bytes", quote.length)
                .put("quoteSha256", sha256(quote)).put("endpoint", LABEL);
        return reply;
    }

    private static ObjectNode error(ObjectNode reply, int code, String message) {
        if (!reply.has("id")) reply.putNull("id");
        reply.putObject("error").put("code", code).put("message", message);
        return reply;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
