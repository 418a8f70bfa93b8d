package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A predicted launch measurement with the digest after each stage and each VMSA's hash, so a mismatch
 * can be traced to the stage where it starts.
 */
public record LaunchMeasurement(SevMode mode, byte[] digest, List<Stage> stages, List<byte[]> vmsaHashes, List<byte[]> vmsaPages) {
    /** The running digest after a stage, with the number of pages (SNP) or bytes (SEV, SEV-ES) it absorbed. */
    public record Stage(String name, String detail, byte[] digest) {}

    public String hex() {
        return HexFormat.of().formatHex(digest);
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(digest);
    }

    public String format(String outputFormat) {
        return switch (outputFormat) {
            case "hex" -> hex();
            case "base64" -> base64();
            default -> throw new RecipeException("unknown output format '" + outputFormat + "' (known: hex, base64, json)");
        };
    }

    /** JSON-ready map: mode, algorithm, digest (hex and base64), stages, VMSA hashes. */
    public Map<String, Object> toMap() {
        HexFormat hex = HexFormat.of();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode.cliName);
        m.put("algorithm", mode.algorithm);
        m.put("digest", hex());
        m.put("digest_base64", base64());
        List<Map<String, Object>> st = new ArrayList<>();
        for (Stage s : stages) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("stage", s.name());
            e.put("detail", s.detail());
            e.put("digest", hex.formatHex(s.digest()));
            st.add(e);
        }
        m.put("stages", st);
        m.put("vmsa_hashes", vmsaHashes.stream().map(hex::formatHex).toList());
        return m;
    }
}
