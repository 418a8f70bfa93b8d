package dev.sealwright.attest.dcap;

import dev.sealwright.base.OneLine;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Intel PCS TCB info (SGX or TDX; version 2 with {@code sgxtcbcompNNsvn} fields, version 3 with
 * component arrays, {@code tdxtcbcomponents}, {@code tdxModule} and {@code tdxModuleIdentities}).
 */
public record TcbInfo(String id, int version, Instant issueDate, Instant nextUpdate, String fmspc, String pceId,
                      int tcbEvaluationDataNumber, ModuleIdentity tdxModule, List<ModuleIdentity> tdxModuleIdentities,
                      List<Level> levels) {

    /** One platform TCB level; {@code tdxComponents} is null for SGX. */
    public record Level(int[] sgxComponents, int pceSvn, int[] tdxComponents, String tcbDate, TcbStatus status,
                        List<String> advisoryIds) {
    }

    /** TDX module identity: MRSIGNERSEAM, SEAM attributes and mask, ISVSVN levels (empty for {@code tdxModule}). */
    public record ModuleIdentity(String id, byte[] mrSigner, byte[] attributes, byte[] attributesMask,
                                 List<IsvLevel> levels) {
    }

    /** An ISVSVN-keyed level (TDX module identities and QE identities). */
    public record IsvLevel(int isvSvn, String tcbDate, TcbStatus status, List<String> advisoryIds) {
    }

    public static TcbInfo parse(String json, String source) {
        String src = source + " tcbInfo";
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            var levels = new ArrayList<Level>();
            for (JsonNode l : need(n, "tcbLevels", src)) {
                JsonNode tcb = need(l, "tcb", src);
                int version = n.path("version").asInt();
                int[] sgx = version >= 3 ? components(need(tcb, "sgxtcbcomponents", src), "SGX", src) : v2Components(tcb, src);
                int[] tdx = tcb.has("tdxtcbcomponents") ? components(tcb.get("tdxtcbcomponents"), "TDX", src) : null;
                levels.add(new Level(sgx, need(tcb, "pcesvn", src).asInt(), tdx, l.path("tcbDate").asText(),
                        TcbStatus.parse(l.path("tcbStatus").asText(null), src), strings(l.get("advisoryIDs"))));
            }
            var identities = new ArrayList<ModuleIdentity>();
            for (JsonNode m : n.path("tdxModuleIdentities")) {
                identities.add(module(m, src));
            }
            return new TcbInfo(need(n, "id", src).asText(), n.path("version").asInt(), instant(n, "issueDate", src),
                    instant(n, "nextUpdate", src), need(n, "fmspc", src).asText(), need(n, "pceId", src).asText(),
                    n.path("tcbEvaluationDataNumber").asInt(), n.has("tdxModule") ? module(n.get("tdxModule"), src) : null,
                    identities, levels);
        } catch (IOException e) {
            throw new RecipeException(src + ": not JSON: " + OneLine.jsonProblem(e), e);
        }
    }

    static ModuleIdentity module(JsonNode m, String src) {
        var levels = new ArrayList<IsvLevel>();
        for (JsonNode l : m.path("tcbLevels")) {
            levels.add(isvLevel(l, src));
        }
        return new ModuleIdentity(m.path("id").asText(""), hex(m, "mrsigner", src), hex(m, "attributes", src),
                hex(m, "attributesMask", src), levels);
    }

    static IsvLevel isvLevel(JsonNode l, String src) {
        return new IsvLevel(need(need(l, "tcb", src), "isvsvn", src).asInt(), l.path("tcbDate").asText(),
                TcbStatus.parse(l.path("tcbStatus").asText(null), src), strings(l.get("advisoryIDs")));
    }

    private static int[] components(JsonNode arr, String kind, String src) {
        if (!arr.isArray() || arr.size() != 16) {
            throw new RecipeException(src + ": " + kind + " component count mismatch (" + arr.size() + ", expected 16)");
        }
        int[] out = new int[16];
        for (int i = 0; i < 16; i++) {
            out[i] = need(arr.get(i), "svn", src).asInt();
        }
        return out;
    }

    private static int[] v2Components(JsonNode tcb, String src) {
        int[] out = new int[16];
        for (int i = 0; i < 16; i++) {
            out[i] = need(tcb, String.format("sgxtcbcomp%02dsvn", i + 1), src).asInt();
        }
        return out;
    }

    static JsonNode need(JsonNode n, String key, String src) {
        JsonNode v = n == null ? null : n.get(key);
        if (v == null || v.isNull()) {
            throw new RecipeException(src + ": field \"" + key + "\" missing");
        }
        return v;
    }

    static Instant instant(JsonNode n, String key, String src) {
        try {
            return Instant.parse(need(n, key, src).asText());
        } catch (DateTimeParseException e) {
            throw new RecipeException(src + ": \"" + key + "\" is not an ISO-8601 instant");
        }
    }

    static byte[] hex(JsonNode n, String key, String src) {
        try {
            return Hex.parse(need(n, key, src).asText());
        } catch (IllegalArgumentException e) {
            throw new RecipeException(src + ": \"" + key + "\" is not hex");
        }
    }

    static List<String> strings(JsonNode arr) {
        var out = new ArrayList<String>();
        if (arr != null) {
            arr.forEach(a -> out.add(a.asText()));
        }
        return List.copyOf(out);
    }
}
