package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sealwright.base.OneLine;

import java.io.IOException;

/**
 * Extracts the exact text of a top-level member's value from a JSON object. Intel signs the bytes
 * of the {@code tcbInfo} / {@code enclaveIdentity} value as served, so re-serialising is not allowed:
 * Jackson's streaming parser reads the whole document (invalid JSON is refused) and its character
 * offsets delimit the value.
 */
final class RawJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private RawJson() {
    }

    static String member(String json, String key, String source) {
        String found = null;
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RecipeException(source + ": not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                long start = p.currentTokenLocation().getCharOffset();
                if (value.isStructStart()) {
                    p.skipChildren();
                } else {
                    p.finishToken();   // a string is read lazily: consume it up to its closing quote
                }
                long end = p.currentLocation().getCharOffset();
                if (name.equals(key) && found == null) {
                    found = json.substring((int) start, (int) end);
                }
            }
            if (p.nextToken() != null) {
                throw new RecipeException(source + ": content after the JSON object");
            }
        } catch (IOException e) {
            throw new RecipeException(source + ": invalid JSON: " + OneLine.jsonProblem(e));
        }
        if (found == null) {
            throw new RecipeException(source + ": JSON member \"" + OneLine.of(key) + "\" not found");
        }
        return found;
    }
}
