package dev.sealwright.enroll.quex;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.RecipeException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registers a TD must report before the vault answers: MRTD and RTMR0..3 (null = not predicted,
 * so not checked; the reason is kept), and TD ATTRIBUTES.DEBUG off. Read from a {@code measure.tdx}
 * prediction ({@code expected.json}) or given as hex.
 */
public record ExpectedMeasurements(byte[][] registers, List<String> unpredicted) {
    /** Register names in check order: index 0 = MRTD, 1..4 = RTMR0..3. */
    public static final List<String> NAMES = List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3");

    /** One register: what was expected and what the TD reported (hex; expected null = not checked). */
    public record Check(String register, String expected, String reported, boolean matches) {}

    /** From {@code expected.json} of measure.tdx; a register given in {@code overrides} (hex) wins. */
    /** A measure.tdx prediction (expected.json), with its events. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a measure.tdx prediction", 16 << 20);

    public static ExpectedMeasurements fromPrediction(Path expectedJson, Map<String, String> overrides) {
        JsonNode doc = null;
        if (expectedJson != null) {
            doc = Json.tree(InputFiles.read(expectedJson, FILE_BOUND), expectedJson.toString());
            if (doc == null || !doc.isObject() || !doc.has("mrtd"))
                throw new RecipeException(expectedJson + ": not a measure.tdx prediction (no mrtd)");
        }
        byte[][] regs = new byte[5][];
        List<String> unpredicted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = NAMES.get(i), hex = overrides.get(name), source = name + " option";
            if (hex == null && doc != null && doc.hasNonNull(name)) {
                hex = doc.get(name).asText();
                source = expectedJson + ": " + name;
            }
            if (hex == null) {
                JsonNode why = doc == null ? null : doc.path("missing").path(name);
                unpredicted.add(name + (why != null && why.isArray() && !why.isEmpty() ? ": " + why.get(0).asText() : ": not given"));
                continue;
            }
            regs[i] = parse(hex, source);
        }
        return new ExpectedMeasurements(regs, List.copyOf(unpredicted));
    }

    private static byte[] parse(String hex, String source) {
        try {
            byte[] b = HexFormat.of().parseHex(hex.strip());
            if (b.length == 48) return b;
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new RecipeException(source + " is not 96 hex digits (a SHA-384 register): " + hex);
    }

    public byte[] register(int i) {
        return registers[i] == null ? null : registers[i].clone();
    }

    /** Every register compared, in order (for the run report). */
    public List<Check> compare(TdReport r) {
        List<Check> out = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < 5; i++) {
            byte[] got = i == 0 ? r.mrTd() : r.rtmr(i - 1);
            out.add(new Check(NAMES.get(i), registers[i] == null ? null : hex.formatHex(registers[i]), hex.formatHex(got),
                    registers[i] == null || Arrays.equals(registers[i], got)));
        }
        return out;
    }

    /** Throws, naming the first mismatch, unless debug is off and every predicted register matches. */
    public void require(TdReport r, String who) {
        if (r.debug()) throw new RecipeException(who + ": the TD reports ATTRIBUTES.DEBUG set (the host can read its memory); refusing to send a key");
        for (Check c : compare(r))
            if (!c.matches())
                throw new RecipeException(who + ": the TD reports " + c.register().toUpperCase() + " " + c.reported() + ", expected " + c.expected() + "; refusing to send a key");
    }

    /** A public summary for enrollment.json. */
    public Map<String, Object> describe(TdReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("debug", r.debug());
        List<Map<String, Object>> regs = new ArrayList<>();
        for (Check c : compare(r)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("register", c.register());
            e.put("expected", c.expected());
            e.put("reported", c.reported());
            e.put("result", c.expected() == null ? "not checked" : c.matches() ? "match" : "MISMATCH");
            regs.add(e);
        }
        m.put("registers", regs);
        m.put("unpredicted", unpredicted);
        return m;
    }
}
