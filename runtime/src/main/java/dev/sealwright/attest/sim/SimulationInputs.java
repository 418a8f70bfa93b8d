package dev.sealwright.attest.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;

/** What the SIMULATED steps (quote.simulate, snp.simulate) read alike: the prediction file and byte strings (the instant: SnpVerifyStep.instant). */
final class SimulationInputs {
    private SimulationInputs() {}

    /** The JSON document of a prediction file (expected.json, measurement.json). */
    static JsonNode json(String step, Path file) {
        try {
            JsonNode doc = Json.MAPPER.readTree(file.toFile());
            if (doc == null || !doc.isObject()) throw new IOException("not a JSON object");
            return doc;
        } catch (IOException e) {
            throw new RecipeException(step + ": " + file + " is not JSON: " + e.getMessage());
        }
    }

    /** Hex (or base64) of at most {@code max} bytes; {@code exact}: exactly {@code max}. */
    static byte[] bytes(String step, String what, String text, int max, boolean exact) {
        byte[] b;
        try {
            b = HexFormat.of().parseHex(text.trim());
        } catch (IllegalArgumentException e) {
            try {
                b = Base64.getDecoder().decode(text.trim());
            } catch (IllegalArgumentException e2) {
                throw new RecipeException(step + ": " + what + " is neither hex nor base64");
            }
        }
        if (exact ? b.length != max : b.length > max)
            throw new RecipeException(step + ": " + what + " is " + b.length + " bytes, " + (exact ? "" : "at most ") + max);
        return b;
    }
}
