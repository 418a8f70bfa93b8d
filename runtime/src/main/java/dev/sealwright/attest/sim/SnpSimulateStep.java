package dev.sealwright.attest.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.attest.snp.SnpVerifyStep;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code snpSimulate { measurement snp.measurement; at '2026-01-01T00:00:00Z' }}: SIMULATED — the SEV-SNP
 * attestation report a guest with the predicted launch digest would return, signed by the VCEK of a freshly
 * generated test chain (not AMD), with that VCEK and the ASK/ARK chain. The step counterpart of
 * {@code sealwright snp simulate}; verify it only with {@code trustSimulated}. A live step: a fresh chain each run.
 */
public final class SnpSimulateStep implements StepType {
    @Override public String name() { return "snp.simulate"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "SIMULATED: an SEV-SNP report of a predicted launch digest, signed by a local test chain"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("measurement", Input.class, "measurement.json of a measure.snp step (its 'digest')"),
                OptionSpec.optional("policy", String.class, "0x30000", "guest policy the report carries").checked(OptionChecks.matches("(0x)?[0-9a-fA-F]{1,16}", "a hex policy like 0x30000")),
                OptionSpec.optional("reportData", String.class, "", "REPORT_DATA, up to 64 bytes hex (zero-padded)").checked(OptionChecks.hex(64, false)),
                OptionSpec.required("at", String.class, "start of the test chain's validity (minus one day), ISO-8601").checked(OptionChecks.instant()));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("report", "report.bin", SimulatedSnpProvider.LABEL + " attestation report (1184 bytes)"),
                OutputSpec.file("vcek", "vcek.pem", SimulatedSnpProvider.LABEL + " VCEK"),
                OutputSpec.file("chain", "chain.pem", SimulatedSnpProvider.LABEL + " ASK and ARK"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path m = ctx.path("measurement");
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(m.toFile());
        } catch (IOException e) {
            throw new RecipeException("snp.simulate: " + m + " is not JSON: " + e.getMessage());
        }
        if (doc == null || !doc.path("digest").isTextual()) throw new RecipeException("snp.simulate: " + m + " has no \"digest\" (a measure.snp measurement.json)");
        byte[] digest = bytes("measurement " + m.getFileName() + " digest", doc.get("digest").asText(), 48, true);
        byte[] reportData = bytes("reportData", ctx.string("reportData"), 64, false);
        long policy = SnpVerifyStep.policy("snp.simulate", ctx.string("policy"));
        Instant at = SnpVerifyStep.instant("snp.simulate", ctx.string("at"));
        var provider = new SimulatedSnpProvider(at.minus(Duration.ofDays(1)), at.plus(Duration.ofDays(3650)));
        AtomicFiles.write(ctx.output("report"), provider.report(Arrays.copyOf(reportData, 64), digest, new byte[32], policy).toBytes());
        AtomicFiles.write(ctx.output("vcek"), SimulatedPki.pem(provider.vcek).getBytes(StandardCharsets.US_ASCII));
        AtomicFiles.write(ctx.output("chain"), provider.chainPem().getBytes(StandardCharsets.US_ASCII));
        ctx.log(SimulatedSnpProvider.LABEL + " SNP report with the launch digest of " + m.getFileName() + " (test chain, not AMD firmware)");
    }

    /** Hex (or base64 for a full-length value) of at most {@code max} bytes; {@code exact}: exactly {@code max}. */
    public static byte[] bytes(String what, String text, int max, boolean exact) {
        byte[] b;
        try {
            b = HexFormat.of().parseHex(text.trim());
        } catch (IllegalArgumentException e) {
            try {
                b = Base64.getDecoder().decode(text.trim());
            } catch (IllegalArgumentException e2) {
                throw new RecipeException("snp.simulate: " + what + " is neither hex nor base64");
            }
        }
        if (exact ? b.length != max : b.length > max)
            throw new RecipeException("snp.simulate: " + what + " is " + b.length + " bytes, " + (exact ? "" : "at most ") + max);
        return b;
    }
}
