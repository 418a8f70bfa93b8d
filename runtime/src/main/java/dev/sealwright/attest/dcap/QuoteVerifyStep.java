package dev.sealwright.attest.dcap;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code quote.verify}: full DCAP verification of a quote with its collateral at an explicit time
 * (so the cached result is reproducible), then the policy checks; writes verification.json. A
 * rejected quote fails the step with the failing check named.
 */
public final class QuoteVerifyStep implements StepType {
    @Override public String name() { return "quote.verify"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "verify a DCAP quote with its collateral at a given time, then policy"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("quote", Input.class, "DCAP quote (binary or hex text)"),
                OptionSpec.required("collateral", Input.class, "dcap-qvl collateral JSON or a PCS-response directory"),
                OptionSpec.required("at", String.class, "verification time, ISO-8601 (explicit so results are reproducible)").checked(OptionChecks.instant()),
                OptionSpec.optional("root", Input.class, null, "trusted root instead of the pinned Intel SGX Root CA"),
                OptionSpec.optional("policy", Input.class, null, "JSON with expected mrtd, rtmr0..3, report_data, xfam, allow_debug"),
                OptionSpec.optional("trustSimulated", Boolean.class, false, "also trust the SIMULATED test root"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("result", "verification.json", "status, advisories, PCK data, checks"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Instant at;
        try {
            at = Instant.parse(ctx.string("at"));
        } catch (DateTimeParseException e) {
            throw new RecipeException("quote.verify: at \"" + ctx.string("at") + "\" is not an ISO-8601 instant");
        }
        Path quoteFile = ctx.path("quote");
        Quote quote = Quote.readFile(quoteFile);
        var root = ctx.option("root") == null ? IntelRootCa.pinned() : IntelRootCa.fromFile(ctx.path("root"));
        var policy = ctx.option("policy") == null ? QuotePolicy.none() : QuotePolicy.none().withJson(ctx.path("policy"));
        QuoteVerification v;
        List<String> policyChecks;
        try {
            v = new QuoteVerifier(root, ctx.flag("trustSimulated")).verify(quote, Collateral.read(ctx.path("collateral")), at);
            policyChecks = policy.check(quote, v);
        } catch (QuoteRejectedException e) {
            throw new RecipeException(quoteFile.getFileName() + ": " + e.getMessage());
        }
        var fields = v.fields();
        fields.put("policy_checks", policyChecks);
        AtomicFiles.write(ctx.output("result"), Json.pretty(fields).getBytes(StandardCharsets.UTF_8));
        ctx.log((v.simulated() ? "SIMULATED " : "") + "quote verified: " + v.status() + ", advisories " + v.advisoryIds());
    }
}
