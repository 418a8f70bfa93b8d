package dev.sealwright.kbs;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.dcap.IntelRootCa;
import dev.sealwright.attest.dcap.TcbStatus;
import dev.sealwright.attest.dcap.QuotePolicy;
import dev.sealwright.attest.snp.AmdCertificates;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The broker's policy file (docs/kbs.md): how evidence is verified per TEE type (TDX collateral and
 * trust anchor, whether the SIMULATED test root is trusted; SNP AMD chain) and, per resource, what
 * the verified evidence must show. Unknown keys are errors (a typo must not silently drop a check).
 * Relative paths are resolved against the policy file's directory.
 */
public record KbsPolicy(Duration nonceTtl, TdxTrust tdx, SnpTrust snp, Map<String, ResourcePolicy> resources) {

    /**
     * TDX: DCAP verification with this collateral, chained to {@code root} (or SIMULATED when trusted).
     * {@code collateral} is null when the file leaves it to the caller ({@link #withCollateral}).
     */
    public record TdxTrust(Collateral collateral, X509Certificate root, boolean trustSimulated) {}

    /** SNP: the ASK and ARK the VCEK must chain to (the ARK must be one of AMD's pinned roots). */
    public record SnpTrust(List<X509Certificate> caChain) {}

    /** What one resource requires: the TEE type, TDX expectations (MRTD, RTMRs, debug, TCB statuses) or the SNP measurement. */
    public record ResourcePolicy(String tee, QuotePolicy tdx, byte[] snpMeasurement, boolean allowDebug) {}

    /** This policy with TDX collateral given by the caller (e.g. the SIMULATED quote service's), replacing tdx.collateral. */
    public KbsPolicy withCollateral(Collateral c) {
        if (tdx == null) {
            throw new RecipeException("collateral given but the policy has no \"tdx\" section");
        }
        return new KbsPolicy(nonceTtl, new TdxTrust(c, tdx.root(), tdx.trustSimulated()), snp, resources);
    }

    /** A broker policy JSON file. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a broker policy", 1 << 20);

    public static KbsPolicy read(Path file) {
        JsonNode root = Json.tree(InputFiles.read(file, FILE_BOUND), file.toString());
        if (root == null || !root.isObject()) {
            throw new RecipeException(file + ": policy must be a JSON object");
        }
        Path dir = file.toAbsolutePath().getParent();
        only(root, file, "", "nonce_ttl_seconds", "tdx", "snp", "resources");
        long ttl = root.has("nonce_ttl_seconds") ? positive(root.get("nonce_ttl_seconds"), file, "nonce_ttl_seconds") : 60;
        TdxTrust tdx = null;
        if (root.has("tdx")) {
            JsonNode t = object(root.get("tdx"), file, "tdx");
            only(t, file, "tdx.", "collateral", "root", "trust_simulated");
            Collateral c = t.hasNonNull("collateral") ? Collateral.read(dir.resolve(t.get("collateral").asText())) : null;
            X509Certificate r = t.hasNonNull("root") ? IntelRootCa.fromFile(dir.resolve(t.get("root").asText())) : IntelRootCa.pinned();
            tdx = new TdxTrust(c, r, bool(t, file, "tdx.trust_simulated"));
        }
        SnpTrust snp = null;
        if (root.has("snp")) {
            JsonNode s = object(root.get("snp"), file, "snp");
            only(s, file, "snp.", "cert_chain");
            if (!s.hasNonNull("cert_chain")) {
                throw new RecipeException(file + ": snp.cert_chain is required (the ASK and ARK, PEM)");
            }
            snp = new SnpTrust(AmdCertificates.readAll(dir.resolve(s.get("cert_chain").asText())));
        }
        if (!root.has("resources")) {
            throw new RecipeException(file + ": \"resources\" is missing (one entry per secret that may be released)");
        }
        JsonNode res = object(root.get("resources"), file, "resources");
        var resources = new LinkedHashMap<String, ResourcePolicy>();
        for (Iterator<Map.Entry<String, JsonNode>> it = res.fields(); it.hasNext(); ) {
            var e = it.next();
            resources.put(e.getKey(), resource(e.getKey(), object(e.getValue(), file, "resources." + e.getKey()), file, tdx, snp));
        }
        return new KbsPolicy(Duration.ofSeconds(ttl), tdx, snp, Collections.unmodifiableMap(resources)); // the policy file's order: messages name the first missing resource
    }

    private static ResourcePolicy resource(String name, JsonNode n, Path file, TdxTrust tdx, SnpTrust snp) {
        String at = "resources." + name;
        if (!n.hasNonNull("tee")) {
            throw new RecipeException(file + ": " + at + ".tee is missing (\"tdx\" or \"snp\")");
        }
        String tee = n.get("tee").asText();
        boolean debug = bool(n, file, at + ".allow_debug");
        if (tee.equals("tdx")) {
            only(n, file, at + ".", "tee", "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "xfam", "allow_debug", "tcb_status");
            if (tdx == null) {
                throw new RecipeException(file + ": " + at + " wants tee \"tdx\" but there is no top-level \"tdx\" section");
            }
            QuotePolicy p = QuotePolicy.none().withAllowDebug(debug).withAccepted(statuses(n, file, at));
            byte[] mrtd = hex(n, file, at, "mrtd", 48);
            if (mrtd == null) {
                throw new RecipeException(file + ": " + at + ".mrtd is required (a secret must be bound to a measurement)");
            }
            p = p.withMrTd(mrtd);
            for (int i = 0; i < 4; i++) {
                byte[] r = hex(n, file, at, "rtmr" + i, 48);
                if (r != null) {
                    p = p.withRtmr(i, r);
                }
            }
            byte[] xfam = hex(n, file, at, "xfam", 8);
            if (xfam != null) {
                p = p.withXfam(xfam);
            }
            return new ResourcePolicy(tee, p, null, debug);
        }
        if (tee.equals("snp")) {
            only(n, file, at + ".", "tee", "measurement", "allow_debug");
            if (snp == null) {
                throw new RecipeException(file + ": " + at + " wants tee \"snp\" but there is no top-level \"snp\" section");
            }
            byte[] m = hex(n, file, at, "measurement", 48);
            if (m == null) {
                throw new RecipeException(file + ": " + at + ".measurement is required (a secret must be bound to a measurement)");
            }
            return new ResourcePolicy(tee, null, m, debug);
        }
        throw new RecipeException(file + ": " + at + ".tee is \"" + tee + "\"; expected \"tdx\" or \"snp\"");
    }

    private static Set<TcbStatus> statuses(JsonNode n, Path file, String at) {
        if (!n.has("tcb_status")) {
            return EnumSet.of(TcbStatus.UpToDate);
        }
        JsonNode a = n.get("tcb_status");
        if (!a.isArray() || a.isEmpty()) {
            throw new RecipeException(file + ": " + at + ".tcb_status must be a non-empty list such as [\"UpToDate\"]");
        }
        var set = EnumSet.noneOf(TcbStatus.class);
        for (JsonNode s : a) {
            try {
                set.add(TcbStatus.valueOf(s.asText()));
            } catch (IllegalArgumentException e) {
                throw new RecipeException(file + ": " + at + ".tcb_status: unknown status \"" + s.asText() + "\" (one of "
                        + List.of(TcbStatus.values()) + ")");
            }
        }
        return set;
    }

    private static byte[] hex(JsonNode n, Path file, String at, String key, int size) {
        if (!n.hasNonNull(key)) {
            return null;
        }
        String s = n.get(key).asText();
        try {
            byte[] b = HexFormat.of().parseHex(s.toLowerCase());
            if (b.length != size) {
                throw new RecipeException(file + ": " + at + "." + key + " has " + b.length + " bytes, expected " + size);
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new RecipeException(file + ": " + at + "." + key + " is not hex");
        }
    }

    private static JsonNode object(JsonNode n, Path file, String at) {
        if (n == null || !n.isObject()) {
            throw new RecipeException(file + ": " + at + " must be a JSON object");
        }
        return n;
    }

    private static boolean bool(JsonNode n, Path file, String path) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        if (!n.has(key)) {
            return false;
        }
        if (!n.get(key).isBoolean()) {
            throw new RecipeException(file + ": " + path + " must be true or false");
        }
        return n.get(key).asBoolean();
    }

    private static long positive(JsonNode n, Path file, String key) {
        if (!n.canConvertToLong() || n.asLong() <= 0) {
            throw new RecipeException(file + ": " + key + " must be a positive number of seconds");
        }
        return n.asLong();
    }

    private static void only(JsonNode n, Path file, String prefix, String... allowed) {
        var ok = Set.of(allowed);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ok.contains(k)) {
                throw new RecipeException(file + ": unknown key \"" + prefix + k + "\" (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }
}
