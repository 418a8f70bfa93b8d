package dev.sealwright.enroll.quex;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code simulatedTdReport { expected prediction }}: a SIMULATED 1024-byte TD report template for a
 * guest without TDX (the enroll-agent's {@code --simulated-report}). Its MRTD and RTMR0..3 are the
 * values of a measure.tdx prediction (zero where nothing was predicted), TD ATTRIBUTES has DEBUG off
 * and SEPT_VE_DISABLE set, XFAM is a common AVX-512 set. No TDX module measured anything: the host
 * states what the guest will "report", so an enrollment checked against the same prediction proves
 * the plumbing, not the guest.
 */
public final class SimulatedTdReportStep implements StepType {
    static final byte[] ATTRIBUTES = HexFormat.of().parseHex("0000001000000000"); // SEPT_VE_DISABLE, DEBUG off
    static final byte[] XFAM = HexFormat.of().parseHex("e702060000000000");

    @Override public String name() { return "tdreport.simulated"; }
    @Override public String dslName() { return "simulatedTdReport"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "SIMULATED TD report template from a measure.tdx prediction (for non-TD guests)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("expected", Input.class, "expected.json of a measure.tdx step"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("report", "td-report.bin", "SIMULATED TDREPORT (1024 bytes) with the predicted registers"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        ExpectedMeasurements e = ExpectedMeasurements.fromPrediction(ctx.path("expected"), Map.of());
        byte[][] rtmrs = new byte[4][];
        for (int i = 0; i < 4; i++) rtmrs[i] = e.register(i + 1);
        TdReport r = TdReport.simulated(ATTRIBUTES, XFAM, e.register(0), rtmrs);
        AtomicFiles.write(ctx.output("report"), r.bytes());
        for (int i = 0; i < 5; i++)
            ctx.log("SIMULATED TD report: " + ExpectedMeasurements.NAMES.get(i) + " = "
                    + (e.register(i) != null ? "predicted " + HexFormat.of().formatHex(e.register(i)) : "zero (not predicted)"));
    }
}
