package dev.sealwright.attest.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.attest.snp.SnpVerifyStep;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.nio.file.Path;
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
                OptionSpec.optional("policy", String.class, "0x" + Long.toHexString(SimulatedSnpProvider.DEFAULT_POLICY), "guest policy the report carries").checked(OptionChecks.matches("(0x)?[0-9a-fA-F]{1,16}", "a hex policy like 0x30000")),
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
        JsonNode doc = SimulationInputs.json(name(), m);
        if (!doc.path("digest").isTextual()) throw new RecipeException(name() + ": " + m + " has no \"digest\" (a measure.snp measurement.json)");
        var request = new SnpReportSimulation.Request(SimulationInputs.bytes(name(), "reportData", ctx.string("reportData"), 64, false),
                SimulationInputs.bytes(name(), "measurement " + m.getFileName() + " digest", doc.get("digest").asText(), 48, true), null,
                SnpVerifyStep.policy(name(), ctx.string("policy")), SnpVerifyStep.instant(name(), ctx.string("at")));
        SnpReportSimulation.write(request, ctx.output("report"), ctx.output("vcek"), ctx.output("chain"));
        ctx.log(SimulatedSnpProvider.LABEL + " SNP report with the launch digest of " + m.getFileName() + " (test chain, not AMD firmware)");
    }
}
