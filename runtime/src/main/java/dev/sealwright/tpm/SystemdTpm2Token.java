package dev.sealwright.tpm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The LUKS2 token systemd-cryptenroll writes for a TPM2-sealed passphrase (type {@code systemd-tpm2};
 * systemd src/shared/tpm2-util.c {@code tpm2_make_luks2_json}, validated by the cryptsetup token plugin).
 * The unsealed secret, base64-encoded, is the passphrase of the token's keyslot.
 *
 * <p>{@code tpm2-blob} = TPM2B_PRIVATE ‖ TPM2B_PUBLIC ‖ [TPM2B_ENCRYPTED_SECRET]: with the seed present,
 * systemd (≥ 255) runs TPM2_Import before TPM2_Load. {@code tpm2_srk} is the ESYS_TR serialisation of the
 * parent: u32 handle ‖ TPM2B_NAME ‖ u32 1 ‖ TPM2B_PUBLIC.
 */
public record SystemdTpm2Token(List<Integer> keyslots, byte[] blob, List<Integer> pcrs, TpmHash pcrBank, String primaryAlg,
                               byte[] policyHash, boolean pin, byte[] srk) {
    public static final String TYPE = "systemd-tpm2";
    public static final int SRK_HANDLE = 0x81000001;

    public SystemdTpm2Token {
        keyslots = List.copyOf(keyslots);
        pcrs = List.copyOf(pcrs);
    }

    /** A token for an offline-sealed blob bound by PolicyPCR to {@code selection} (one bank). */
    public static SystemdTpm2Token forSealedBlob(int keyslot, OfflineSeal.SealedBlob sealed, PcrSelection selection,
                                                 byte[] policyHash, TpmPublic srk) {
        if (selection.banks().size() != 1) throw new TpmFormatException("a systemd-tpm2 token binds PCRs of one bank, not " + selection);
        PcrSelection.Bank bank = selection.banks().get(0);
        return new SystemdTpm2Token(List.of(keyslot), blob(sealed), List.copyOf(bank.pcrs()), bank.hash(),
                srk.type() == TpmAlg.ECC ? "ecc" : "rsa", policyHash, false, srkSerialization(SRK_HANDLE, srk));
    }

    public static byte[] blob(OfflineSeal.SealedBlob sealed) {
        return new TpmWriter().bytes(sealed.duplicate().toSizedBytes()).bytes(sealed.sealedPublic().toSizedBytes())
                .bytes(sealed.seed().toSizedBytes()).toBytes();
    }

    /** Splits {@code tpm2-blob}; the seed is null for a blob created on the TPM (no import needed). */
    public static OfflineSeal.SealedBlob parseBlob(byte[] blob) {
        TpmReader r = new TpmReader(blob);
        TpmPrivate priv = TpmPrivate.read(r);
        TpmPublic pub = TpmPublic.readSized(r);
        EncryptedSecret seed = r.remaining() > 0 ? EncryptedSecret.read(r) : null;
        r.end("tpm2-blob");
        return new OfflineSeal.SealedBlob(pub, priv, seed);
    }

    /** ESYS_TR serialisation of a persistent parent, as systemd computes it for offline enrolment. */
    public static byte[] srkSerialization(int handle, TpmPublic srk) {
        return new TpmWriter().u32(handle).sized(srk.name()).u32(1).bytes(srk.toSizedBytes()).toBytes();
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("type", TYPE);
        ArrayNode slots = o.putArray("keyslots");
        keyslots.forEach(k -> slots.add(Integer.toString(k)));
        o.put("tpm2-blob", Base64.getEncoder().encodeToString(blob));
        ArrayNode p = o.putArray("tpm2-pcrs");
        pcrs.forEach(p::add);
        o.put("tpm2-pcr-bank", pcrBank.label());
        o.put("tpm2-primary-alg", primaryAlg);
        o.put("tpm2-policy-hash", HexFormat.of().formatHex(policyHash));
        o.put("tpm2-pin", pin);
        if (srk != null) o.put("tpm2_srk", Base64.getEncoder().encodeToString(srk));
        return o;
    }

    /** Reads a token with the checks of systemd's validator: keyslots, tpm2-blob, tpm2-pcrs and tpm2-policy-hash are required. */
    public static SystemdTpm2Token fromJson(JsonNode o) {
        if (o == null || !o.isObject()) throw new TpmFormatException("a systemd-tpm2 token must be a JSON object");
        if (!TYPE.equals(o.path("type").asText())) throw new TpmFormatException("token type is '" + o.path("type").asText() + "', not " + TYPE);
        List<Integer> slots = new ArrayList<>();
        for (JsonNode k : array(o, "keyslots")) {
            try {
                slots.add(Integer.parseInt(k.asText()));
            } catch (NumberFormatException e) {
                throw new TpmFormatException("keyslots entry '" + k.asText() + "' is not a keyslot number");
            }
        }
        List<Integer> pcrs = new ArrayList<>();
        for (JsonNode n : array(o, "tpm2-pcrs")) {
            if (!n.isInt() || n.asInt() < 0 || n.asInt() >= PcrSelection.PCR_COUNT) throw new TpmFormatException("tpm2-pcrs entry " + n + " is not a PCR number");
            pcrs.add(n.asInt());
        }
        byte[] blob;
        byte[] policy;
        byte[] srk = null;
        try {
            blob = Base64.getDecoder().decode(required(o, "tpm2-blob"));
            if (o.hasNonNull("tpm2_srk")) srk = Base64.getDecoder().decode(o.get("tpm2_srk").asText());
        } catch (IllegalArgumentException e) {
            throw new TpmFormatException("tpm2-blob or tpm2_srk is not base64");
        }
        try {
            policy = HexFormat.of().parseHex(required(o, "tpm2-policy-hash"));
        } catch (IllegalArgumentException e) {
            throw new TpmFormatException("tpm2-policy-hash is not hex");
        }
        TpmHash bank = o.hasNonNull("tpm2-pcr-bank") ? TpmHash.fromLabel(o.get("tpm2-pcr-bank").asText()) : TpmHash.SHA256;
        String alg = o.hasNonNull("tpm2-primary-alg") ? o.get("tpm2-primary-alg").asText() : "ecc";
        return new SystemdTpm2Token(slots, blob, pcrs, bank, alg, policy, o.path("tpm2-pin").asBoolean(false), srk);
    }

    private static JsonNode array(JsonNode o, String field) {
        JsonNode a = o.get(field);
        if (a == null || !a.isArray()) throw new TpmFormatException("token field " + field + " must be an array");
        return a;
    }

    private static String required(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new TpmFormatException("token field " + field + " is missing");
        return v.asText();
    }

    @Override
    public String toString() {
        return "SystemdTpm2Token[keyslots=" + keyslots + ", pcrs=" + pcrBank.label() + ":" + pcrs + ", policy=" + HexFormat.of().formatHex(policyHash) + "]";
    }
}
