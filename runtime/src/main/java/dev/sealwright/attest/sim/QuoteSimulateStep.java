package dev.sealwright.attest.sim;

import dev.sealwright.attest.snp.SnpVerifyStep;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
        var request = TdxQuoteSimulation.request(SimulationInputs.bytes(name(), "reportData", ctx.string("reportData"), 64, false),
                TdxQuoteSimulation.registers(name(), expected, Map.of()), SnpVerifyStep.instant(name(), ctx.string("at")));
        TdxQuoteSimulation.write(request, ctx.output("quote"), ctx.output("collateral"));
        ctx.log(SimulatedTdxProvider.LABEL + " quote with the predicted MRTD and RTMRs of " + expected.getFileName() + " (test PKI, not a TEE)");
    }
}
