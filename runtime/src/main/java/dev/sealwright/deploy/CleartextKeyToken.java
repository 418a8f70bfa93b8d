package dev.sealwright.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.RecipeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A LUKS2 token that carries a keyslot passphrase in the clear, as image encryptors leave it for the
 * deploy step: encrypt-cloud-image's {@code {"type":"ubuntu-fde-cloudimg-key","keyslots":["0"],
 * "ubuntu_fde_cloudimg_key":"<base64>"}} and the systemd-based clone's {@code {"type":"cleartext",
 * "password":"..."}}. Deploy reads the passphrase from it and then removes it.
 */
public record CleartextKeyToken(int id, String type, byte[] passphrase) {
    public static final String UBUNTU_TYPE = "ubuntu-fde-cloudimg-key";
    public static final String CLEARTEXT_TYPE = "cleartext";

    /** Every cleartext key token of a LUKS2 {@code tokens} object, by id. */
    public static List<CleartextKeyToken> find(JsonNode tokens, String source) {
        List<CleartextKeyToken> found = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tokens.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String type = e.getValue().path("type").asText();
            int id = Integer.parseInt(e.getKey());
            if (type.equals(UBUNTU_TYPE)) {
                try {
                    found.add(new CleartextKeyToken(id, type, Base64.getDecoder().decode(e.getValue().path("ubuntu_fde_cloudimg_key").asText())));
                } catch (IllegalArgumentException ex) {
                    throw new RecipeException(source + ": token " + id + " (" + type + ") has no base64 \"ubuntu_fde_cloudimg_key\"");
                }
            } else if (type.equals(CLEARTEXT_TYPE)) {
                if (!e.getValue().path("password").isTextual()) throw new RecipeException(source + ": token " + id + " (" + type + ") has no \"password\" string");
                found.add(new CleartextKeyToken(id, type, e.getValue().get("password").asText().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return found;
    }
}
