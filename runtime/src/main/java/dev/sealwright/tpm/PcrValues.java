package dev.sealwright.tpm;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Predicted (or read) PCR values per bank, as {@code {"sha256": {"7": "<hex>", ...}}} — the shape
 * {@code measure vtpm --json} emits.
 */
public final class PcrValues {
    /** Keys of a {@code measure vtpm --json} document that are not banks (reasons, the event list). */
    private static final java.util.Set<String> PREDICTION_KEYS = java.util.Set.of("missing", "kind", "algorithms", "events");

    private final Map<TpmHash, SortedMap<Integer, byte[]>> banks = new EnumMap<>(TpmHash.class);

    public PcrValues put(TpmHash bank, int pcr, byte[] value) {
        if (value.length != bank.digestSize) {
            throw new TpmFormatException(bank.label() + " PCR " + pcr + " value has " + value.length + " bytes, expected " + bank.digestSize);
        }
        banks.computeIfAbsent(bank, b -> new TreeMap<>()).put(pcr, value.clone());
        return this;
    }

    public byte[] get(TpmHash bank, int pcr) {
        SortedMap<Integer, byte[]> values = banks.get(bank);
        return values == null ? null : values.get(pcr);
    }

    /** The PCR numbers that have a value in {@code bank}, ascending. */
    public java.util.SortedSet<Integer> pcrs(TpmHash bank) {
        SortedMap<Integer, byte[]> values = banks.get(bank);
        return values == null ? new java.util.TreeSet<>() : new java.util.TreeSet<>(values.keySet());
    }

    /** The banks that have values. */
    public java.util.Set<TpmHash> banks() {
        return java.util.Collections.unmodifiableSet(banks.keySet());
    }

    /** PolicyPCR's pcrDigest: H_policy(the selected values concatenated in selection order). */
    public byte[] digest(PcrSelection selection, TpmHash policyHash) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (PcrSelection.Bank bank : selection.banks()) {
            for (int pcr : bank.pcrs()) {
                byte[] v = get(bank.hash(), pcr);
                if (v == null) throw new RecipeException("no predicted value for PCR " + bank.hash().label() + ":" + pcr);
                all.writeBytes(v);
            }
        }
        return policyHash.digest(all.toByteArray());
    }

    /** PCR values JSON, or a whole measure vtpm --json prediction with its events. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a PCR values JSON file", 16 << 20);

    public static PcrValues read(Path file) {
        JsonNode root = Json.tree(InputFiles.read(file, FILE_BOUND), file.toString());
        if (root == null || !root.isObject()) throw new RecipeException(file + ": expected a JSON object like {\"sha256\": {\"7\": \"<hex>\"}}");
        PcrValues values = new PcrValues();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> bank = it.next();
            if (PREDICTION_KEYS.contains(bank.getKey())) continue;
            TpmHash hash;
            try {
                hash = TpmHash.fromLabel(bank.getKey());
            } catch (TpmFormatException e) {
                throw new RecipeException(file + ": " + e.getMessage());
            }
            if (!bank.getValue().isObject()) throw new RecipeException(file + ": \"" + bank.getKey() + "\" must map PCR numbers to hex values");
            for (Iterator<Map.Entry<String, JsonNode>> pcrs = bank.getValue().fields(); pcrs.hasNext(); ) {
                Map.Entry<String, JsonNode> e = pcrs.next();
                int pcr;
                byte[] value;
                try {
                    pcr = Integer.parseInt(e.getKey());
                    if (pcr < 0 || pcr >= PcrSelection.PCR_COUNT) throw new NumberFormatException();
                } catch (NumberFormatException ex) {
                    throw new RecipeException(file + ": \"" + bank.getKey() + "\" has key \"" + e.getKey() + "\", expected a PCR number 0..23");
                }
                try {
                    value = HexFormat.of().parseHex(e.getValue().asText());
                } catch (IllegalArgumentException ex) {
                    throw new RecipeException(file + ": " + bank.getKey() + " PCR " + pcr + " is not hex");
                }
                try {
                    values.put(hash, pcr, value);
                } catch (TpmFormatException ex) {
                    throw new RecipeException(file + ": " + ex.getMessage());
                }
            }
        }
        return values;
    }
}
