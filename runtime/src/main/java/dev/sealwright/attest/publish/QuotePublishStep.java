package dev.sealwright.attest.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputRef;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code quotePublish { endpoint rpc.url; quote q }}: POSTs a quote as a JSON-RPC 2.0 call
 * ({@code method(params: {"quote": "0x…"})}) and keeps the receipt. Refuses an error reply, and a
 * result whose {@code quoteSha256} (when the endpoint reports one) differs from the bytes sent.
 * A live step: publishing is an effect, never cached.
 */
public final class QuotePublishStep implements StepType {
    @Override public String name() { return "quote.publish"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "publish a quote to an HTTP JSON-RPC endpoint and keep the receipt"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("endpoint", Object.class, "URL, or the url output of an rpc.endpoint step").checked(OptionChecks.parsedBy(QuotePublishStep::endpoint)),
                OptionSpec.required("quote", Input.class, "the quote file"),
                OptionSpec.optional("method", String.class, JsonRpcTestEndpoint.METHOD, "JSON-RPC method"),
                OptionSpec.optional("timeout", Long.class, 30L, "seconds to wait for the reply").checked(OptionChecks.range(1, 3600)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("receipt", "receipt.json", "endpoint, method, SHA-256 of the quote sent, the JSON-RPC result"),
                OutputSpec.value("quoteSha256", "SHA-256 of the published quote, hex"));
    }

    /** The endpoint as a URI; refused unless http(s). */
    static URI endpoint(String url) {
        try {
            URI uri = URI.create(url);
            if (!List.of("http", "https").contains(String.valueOf(uri.getScheme()))) throw new IllegalArgumentException();
            return uri;
        } catch (IllegalArgumentException e) {
            throw new RecipeException("quote.publish: endpoint '" + url + "' is not an http(s) URL");
        }
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Object ep = ctx.option("endpoint");
        String url = String.valueOf(ep instanceof OutputRef ? ctx.upstreamValue("endpoint") : ep);
        URI uri = endpoint(url);
        Path quoteFile = ctx.path("quote");
        byte[] quote = Files.readAllBytes(quoteFile);
        String sha = JsonRpcTestEndpoint.sha256(quote);
        ObjectNode req = Json.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", ctx.string("method"));
        req.putObject("params").put("quote", "0x" + HexFormat.of().formatHex(quote));
        Duration timeout = Duration.ofSeconds(ctx.number("timeout"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpResponse<String> resp;
        try {
            resp = client.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(req))).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RecipeException("quote.publish: " + url + ": " + e.getMessage());
        }
        if (resp.statusCode() != 200) throw new RecipeException("quote.publish: " + url + " answered HTTP " + resp.statusCode());
        JsonNode reply;
        try {
            reply = Json.MAPPER.readTree(resp.body());
        } catch (IOException e) {
            throw new RecipeException("quote.publish: " + url + " did not answer JSON");
        }
        if (reply.has("error") && !reply.get("error").isNull())
            throw new RecipeException("quote.publish: " + url + " refused the quote: " + reply.get("error").path("message").asText(reply.get("error").toString()));
        JsonNode result = reply.get("result");
        if (result == null) throw new RecipeException("quote.publish: " + url + " answered without a result");
        if (result.has("quoteSha256") && !sha.equals(result.get("quoteSha256").asText()))
            throw new RecipeException("quote.publish: " + url + " received a different quote (sha256 " + result.get("quoteSha256").asText() + ", sent " + sha + ")");
        ObjectNode receipt = Json.MAPPER.createObjectNode().put("endpoint", url).put("method", ctx.string("method"))
                .put("quote", quoteFile.getFileName().toString()).put("quoteSha256", sha);
        receipt.set("result", result);
        AtomicFiles.write(ctx.output("receipt"), Json.pretty(receipt).getBytes(StandardCharsets.UTF_8));
        ctx.value("quoteSha256", sha);
        ctx.log("published " + quote.length + "-byte quote (sha256 " + sha + ") to " + url);
    }
}
