package dev.sealwright.base;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one Jackson mapper: sorted map keys and stable output, so JSON we write is reproducible. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Json() {}

    public static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The JSON document in {@code bytes}; malformed or empty input is one line naming {@code source}, line and column. */
    public static JsonNode tree(byte[] bytes, String source) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || n.isMissingNode()) throw new RecipeException(source + ": is empty; expected JSON");
            return n;
        } catch (JsonProcessingException e) {
            throw new RecipeException(source + ": " + describe(e), e);
        } catch (java.io.IOException e) {
            throw new RecipeException(source + ": cannot read JSON: " + e.getMessage(), e);
        }
    }

    /** "invalid JSON at line 3 column 7: Unexpected end-of-input ..." without Jackson's source excerpt. */
    public static String describe(JsonProcessingException e) {
        var at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
        String what = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage().lines().findFirst().orElse("");
        // a nested location ("start marker at [Source: REDACTED ...; line: 5, column: 18]") as plain text
        what = what.replaceAll("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]", "line $1 column $2");
        return "invalid JSON" + where + ": " + what;
    }

    /** Canonical single-line form, used inside cache keys. */
    public static String canonical(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
