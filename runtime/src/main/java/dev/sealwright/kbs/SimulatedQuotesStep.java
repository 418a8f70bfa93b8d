package dev.sealwright.kbs;

import dev.sealwright.attest.sim.TdxQuoteSimulation;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kbsSimulatedQuotes { mrtd '...'; rtmr0 '...'; port 8991 }}: the SIMULATED quote service
 * (see {@link SimulatedQuoteService}) as a SERVICE step, for samples on machines without TDX. Its
 * collateral output feeds the {@code kbs} step's {@code collateral}; the broker policy must still
 * say {@code tdx.trust_simulated}.
 */
public final class SimulatedQuotesStep implements StepType {
    @Override public String name() { return "kbs.simulatedQuotes"; }
    @Override public int version() { return 2; }
    @Override public StepKind kind() { return StepKind.SERVICE; }
    @Override public String description() { return "SIMULATED TDX quote service (test PKI, not Intel) for guests without TDX"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("mrtd", String.class, null, "MRTD the quotes carry (96 hex digits; default zeros)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr0", String.class, null, "RTMR0 (96 hex digits)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr1", String.class, null, "RTMR1").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr2", String.class, null, "RTMR2").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr3", String.class, null, "RTMR3").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("expected", Input.class, null,
                        "a measure.tdx prediction (expected.json): MRTD and computed RTMRs the quotes carry, unless given above"),
                OptionSpec.optional("port", Long.class, (long) SimulatedQuoteService.DEFAULT_PORT, "TCP port (0: any free port)").checked(OptionChecks.port()),
                OptionSpec.optional("bind", String.class, SimulatedQuoteService.DEFAULT_BIND, "listen address"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("collateral", "collateral.json", "collateral of the SIMULATED PKI (dcap-qvl JSON)"),
                OutputSpec.value("url", "URL guests POST REPORTDATA to (kbs-client --simulated-quote-url)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Map<String, String> given = new HashMap<>();
        for (String r : TdxQuoteSimulation.REGISTERS) given.put(r, ctx.string(r));
        var registers = TdxQuoteSimulation.request(null, TdxQuoteSimulation.registers(name(), ctx.option("expected") == null ? null : ctx.path("expected"), given), null);
        var service = SimulatedQuoteService.start(new InetSocketAddress(ctx.string("bind"), Math.toIntExact(ctx.number("port"))),
                registers.mrtd(), registers.rtmrs(), false);
        ctx.keepAlive(service);
        service.collateral().writeQvlJson(ctx.output("collateral"));
        ctx.value("url", service.url().toString());
        ctx.log("SIMULATED quote service on " + service.url() + " (test PKI, not Intel)");
    }
}
