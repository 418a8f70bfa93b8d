package dev.sealwright.disk.luks2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.RecipeException;

/**
 * Rules for tokens we add: cryptsetup's (a "type" string, a "keyslots" array of existing keyslot
 * ids, the "luks2-" prefix reserved) plus the fields systemd's validator requires of a
 * {@code systemd-tpm2} token (cryptsetup-token-systemd-tpm2.c: tpm2-blob, tpm2-pcrs, tpm2-policy-hash).
 */
final class Luks2Tokens {
    private Luks2Tokens() {}

    static void check(ObjectNode token, ObjectNode keyslots, String source) {
        JsonNode type = token.get("type");
        if (type == null || !type.isTextual()) throw new RecipeException(source + ": token has no \"type\" string");
        if (type.asText().startsWith("luks2-")) throw new RecipeException(source + ": token type \"" + type.asText() + "\" uses the reserved \"luks2-\" prefix");
        JsonNode ks = token.get("keyslots");
        if (ks == null || !ks.isArray()) throw new RecipeException(source + ": token has no \"keyslots\" array");
        for (JsonNode k : ks)
            if (!k.isTextual() || !keyslots.has(k.asText())) throw new RecipeException(source + ": token references keyslot " + k + " which does not exist");
        if (type.asText().equals("systemd-tpm2")) {
            if (!token.path("tpm2-blob").isTextual()) throw new RecipeException(source + ": systemd-tpm2 token needs a \"tpm2-blob\" base64 string");
            JsonNode pcrs = token.get("tpm2-pcrs");
            if (pcrs == null || !pcrs.isArray()) throw new RecipeException(source + ": systemd-tpm2 token needs a \"tpm2-pcrs\" array");
            for (JsonNode p : pcrs)
                if (!p.isIntegralNumber() || p.asInt() < 0 || p.asInt() > 23) throw new RecipeException(source + ": systemd-tpm2 token has an invalid PCR number " + p);
            JsonNode policy = token.get("tpm2-policy-hash");
            if (policy == null || !policy.isTextual() || !policy.asText().matches("([0-9a-fA-F]{2})+"))
                throw new RecipeException(source + ": systemd-tpm2 token needs a \"tpm2-policy-hash\" hex string");
        }
    }
}
