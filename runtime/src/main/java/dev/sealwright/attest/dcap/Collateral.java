package dev.sealwright.attest.dcap;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Quote verification collateral as Intel PCS/PCCS serves it: issuer chains (PEM), the root CA and
 * PCK CRLs (DER), and the TCB info and QE identity JSON with their raw r‖s signatures. The JSON
 * texts are kept byte-exact because the signatures cover them.
 *
 * <p>Read from a dcap-qvl collateral JSON file (nine keys, CRLs as hex DER) or from a directory of
 * PCS responses in go-tdx-guest's layout.
 */
public record Collateral(String pckCrlIssuerChain, byte[] rootCaCrl, byte[] pckCrl, String tcbInfoIssuerChain,
                         String tcbInfoJson, byte[] tcbInfoSignature, String qeIdentityIssuerChain,
                         String qeIdentityJson, byte[] qeIdentitySignature, String source) {

    /** One collateral file (JSON, CRL, PEM chain); PCS serves a few KiB each. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a DCAP collateral file", 4 << 20);

    public static Collateral read(Path path) {
        return InputFiles.kind(path, "collateral") == InputFiles.Kind.DIRECTORY ? readPcsDirectory(path) : readQvlJson(path);
    }

    /** dcap-qvl's {@code QuoteCollateralV3} JSON. */
    static Collateral readQvlJson(Path file) {
        String src = file.toString();
        JsonNode n = Json.tree(InputFiles.read(file, FILE_BOUND), src);
        return new Collateral(text(n, "pck_crl_issuer_chain", src), hex(n, "root_ca_crl", src), hex(n, "pck_crl", src),
                text(n, "tcb_info_issuer_chain", src), text(n, "tcb_info", src), hex(n, "tcb_info_signature", src),
                text(n, "qe_identity_issuer_chain", src), text(n, "qe_identity", src),
                hex(n, "qe_identity_signature", src), src);
    }

    /**
     * A directory of raw PCS responses: {@code sample_tcbInfo_response} / {@code tcb_info.json},
     * {@code sample_qeIdentity_response} / {@code qe_identity.json}, {@code pckcrl}, {@code rootcrl.der},
     * {@code tcb_info_issuer_chain.pem} (also the QE identity issuer chain unless
     * {@code qe_identity_issuer_chain.pem} exists) and {@code pck_crl_issuer_chain.pem}.
     */
    static Collateral readPcsDirectory(Path dir) {
        String tcbBody = readText(first(dir, "tcb_info.json", "sample_tcbInfo_response"));
        String qeBody = readText(first(dir, "qe_identity.json", "sample_qeIdentity_response"));
        String tcbChain = readText(first(dir, "tcb_info_issuer_chain.pem"));
        Path qeChain = dir.resolve("qe_identity_issuer_chain.pem");
        String src = dir.toString();
        return new Collateral(readText(first(dir, "pck_crl_issuer_chain.pem")), readBytes(first(dir, "rootcrl.der", "root_ca_crl.der")),
                readBytes(first(dir, "pckcrl", "pck_crl.der")), tcbChain, RawJson.member(tcbBody, "tcbInfo", src),
                signature(tcbBody, src), Files.exists(qeChain) ? readText(qeChain) : tcbChain,
                RawJson.member(qeBody, "enclaveIdentity", src), signature(qeBody, src), src);
    }

    private static byte[] signature(String body, String src) {
        String s = RawJson.member(body, "signature", src);
        return decodeHex(s.substring(1, s.length() - 1), "signature", src);
    }

    private static Path first(Path dir, String... names) {
        for (String n : names) {
            if (Files.exists(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        throw new RecipeException(dir + ": collateral directory lacks " + String.join(" or ", names));
    }

    private static String readText(Path p) {
        return new String(readBytes(p), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(Path p) {
        return InputFiles.read(p, FILE_BOUND);
    }

    private static String text(JsonNode n, String key, String src) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new RecipeException(src + ": collateral key \"" + key + "\" missing or not a string");
        }
        return v.asText();
    }

    private static byte[] hex(JsonNode n, String key, String src) {
        return decodeHex(text(n, key, src), key, src);
    }

    private static byte[] decodeHex(String s, String key, String src) {
        try {
            return Hex.parse(s);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(src + ": collateral \"" + key + "\" is not hex");
        }
    }

    /** Writes the dcap-qvl nine-key JSON layout that {@link #read} accepts (atomically). */
    public void writeQvlJson(Path file) {
        var m = new java.util.LinkedHashMap<String, String>();
        m.put("pck_crl_issuer_chain", pckCrlIssuerChain);
        m.put("root_ca_crl", Hex.of(rootCaCrl));
        m.put("pck_crl", Hex.of(pckCrl));
        m.put("tcb_info_issuer_chain", tcbInfoIssuerChain);
        m.put("tcb_info", tcbInfoJson);
        m.put("tcb_info_signature", Hex.of(tcbInfoSignature));
        m.put("qe_identity_issuer_chain", qeIdentityIssuerChain);
        m.put("qe_identity", qeIdentityJson);
        m.put("qe_identity_signature", Hex.of(qeIdentitySignature));
        try {
            AtomicFiles.write(file, Json.pretty(m).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RecipeException("cannot write collateral " + file + ": " + e.getMessage(), e);
        }
    }
}
