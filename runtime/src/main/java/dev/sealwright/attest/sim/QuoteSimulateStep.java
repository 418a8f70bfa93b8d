package dev.sealwright.attest.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code quoteSimulate { expected measured.expected; reportData '…' }}: SIMULATED — a TDX v4 quote
 * carrying the predicted MRTD and RTMRs of a measure.tdx expected.json, signed by a freshly
 * generated test PKI (not Intel), plus its collateral valid for 30 days from {@code at}. For
 * machines without a TDX host; verify it only with {@code trustSimulated}. A live step: a fresh
 * PKI each run, never cached.
 */
public final class QuoteSimulateStep implements StepType {
    @Override public String name() { return "quote.simulate"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "SIMULATED: a TDX quote of predicted registers, signed by a local test PKI"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("expected", Input.class, "expected.json of a measure.tdx step (mrtd, rtmr0..3)"),
                OptionSpec.optional("reportData", String.class, "", "REPORTDATA, up to 64 bytes hex (zero-padded)").checked(OptionChecks.hex(64, false)),
                OptionSpec.required("at", String.class, "start of the collateral's 30-day validity, ISO-8601").checked(OptionChecks.instant()));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("quote", "quote.dat", SimulatedTdxProvider.LABEL + " TDX v4 quote"),
                OutputSpec.file("collateral", "collateral.json", SimulatedTdxProvider.LABEL + " collateral (dcap-qvl JSON layout)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path expected = ctx.path("expected");
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(expected.toFile());
        } catch (IOException e) {
            throw new RecipeException("quote.simulate: " + expected + " is not JSON: " + e.getMessage());
        }
        Instant at;
        try {
            at = Instant.parse(ctx.string("at"));
        } catch (DateTimeParseException e) {
            throw new RecipeException("quote.simulate: at '" + ctx.string("at") + "' is not an ISO-8601 instant like 2026-01-01T00:00:00Z");
        }
        byte[] mrtd = register(doc, "mrtd", expected);
        byte[][] rtmrs = new byte[4][];
        for (int i = 0; i < 4; i++) rtmrs[i] = register(doc, "rtmr" + i, expected);
        byte[] reportData;
        try {
            reportData = HexFormat.of().parseHex(ctx.string("reportData"));
        } catch (IllegalArgumentException e) {
            throw new RecipeException("quote.simulate: reportData is not hex");
        }
        if (reportData.length > 64) throw new RecipeException("quote.simulate: reportData is " + reportData.length + " bytes, at most 64");
        var provider = new SimulatedTdxProvider(at.minus(Duration.ofDays(1)), at.plus(Duration.ofDays(3650)));
        AtomicFiles.write(ctx.output("quote"), provider.quote(Arrays.copyOf(reportData, 64), mrtd, rtmrs).toBytes());
        provider.collateral(at, at.plus(Duration.ofDays(30)), List.of()).writeQvlJson(ctx.output("collateral"));
        ctx.log(SimulatedTdxProvider.LABEL + " quote with the predicted MRTD and RTMRs of " + expected.getFileName() + " (test PKI, not a TEE)");
    }

    /** A 48-byte register from expected.json; absent (e.g. no RTMR prediction) means zeros. */
    private static byte[] register(JsonNode doc, String key, Path file) {
        JsonNode n = doc.get(key);
        if (n == null || n.isNull()) return new byte[48];
        try {
            byte[] b = HexFormat.of().parseHex(n.asText());
            if (b.length != 48) throw new IllegalArgumentException();
            return b;
        } catch (IllegalArgumentException e) {
            throw new RecipeException("quote.simulate: " + file + ": \"" + key + "\" is not 48 bytes of hex");
        }
    }
}
