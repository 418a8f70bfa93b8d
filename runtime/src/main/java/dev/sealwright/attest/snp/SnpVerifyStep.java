package dev.sealwright.attest.snp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code snpVerify { report r; vcek v; chain c; measurement snp.measurement; at '…' }}: the step counterpart of
 * {@code sealwright attest snp} — AMD chain (pinned ARK), VCEK signature, chip id, TCB, policy and the expected
 * launch digest, at an explicit time so the cached result is reproducible; writes verification.json. A report
 * that fails any check fails the step, naming the checks.
 */
public final class SnpVerifyStep implements StepType {
    @Override public String name() { return "snp.verify"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "verify an SEV-SNP report: AMD chain, VCEK signature, TCB, policy, expected launch digest"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("report", Input.class, "attestation report (raw 1184 bytes, hex text or the sev crate's JSON)"),
                OptionSpec.required("vcek", Input.class, "VCEK or VLEK certificate (DER or PEM)"),
                OptionSpec.required("chain", Input.class, "ASK (or ASVK) and ARK, PEM"),
                OptionSpec.optional("measurement", Input.class, null, "measurement.json of a measure.snp step: its digest must be the report's"),
                OptionSpec.optional("policy", String.class, null, "expected guest policy, e.g. 0x30000").checked(OptionChecks.matches("(0x)?[0-9a-fA-F]{1,16}", "a hex policy like 0x30000")),
                OptionSpec.required("at", String.class, "verification time, ISO-8601 (explicit so results are reproducible)").checked(OptionChecks.instant()),
                OptionSpec.optional("trustSimulated", Boolean.class, false, "also trust the SIMULATED test ARK (results are labelled SIMULATED)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("result", "verification.json", "verified, every check with its detail, the report's fields"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        var e = ReportExpectations.none().withTrustSimulated(ctx.flag("trustSimulated")).at(instant("snp.verify", ctx.string("at")));
        if (ctx.option("measurement") != null) e = e.withMeasurement(digest(ctx.path("measurement")));
        if (ctx.option("policy") != null) e = e.withPolicy(policy("snp.verify", ctx.string("policy")));
        Path report = ctx.path("report");
        ReportVerification v = ReportVerifier.verify(ReportFiles.read(report), AmdCertificates.readOne(ctx.path("vcek")),
                AmdCertificates.readAll(ctx.path("chain")), e);
        if (!v.ok())
            throw new RecipeException("snp.verify: " + report.getFileName() + " NOT verified: "
                    + String.join("; ", v.failures().stream().map(c -> c.name() + " (" + c.detail() + ")").toList()));
        AtomicFiles.write(ctx.output("result"), Json.pretty(v.toMap()).getBytes(StandardCharsets.UTF_8));
        ctx.log((v.simulated() ? "SIMULATED " : "") + "SNP report verified: " + v.checks().size() + " checks");
    }

    private static byte[] digest(Path measurement) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(measurement.toFile());
        } catch (IOException ex) {
            throw new RecipeException("snp.verify: " + measurement + " is not JSON: " + ex.getMessage());
        }
        try {
            byte[] d = HexFormat.of().parseHex(doc.path("digest").asText());
            if (d.length == 48) return d;
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new RecipeException("snp.verify: " + measurement + " has no 48-byte hex \"digest\" (a measure.snp measurement.json)");
    }

    /** A guest policy such as 0x30000. */
    public static long policy(String step, String text) {
        try {
            return Long.decode(text.trim());
        } catch (NumberFormatException ex) {
            throw new RecipeException(step + ": policy '" + text + "' is not a number such as 0x30000");
        }
    }

    /** An ISO-8601 instant. */
    public static Instant instant(String step, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException ex) {
            throw new RecipeException(step + ": at '" + text + "' is not an ISO-8601 instant like 2026-01-01T00:00:00Z");
        }
    }
}
