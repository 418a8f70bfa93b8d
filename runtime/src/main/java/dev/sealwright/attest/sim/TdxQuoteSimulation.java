package dev.sealwright.attest.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.base.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SIMULATED: one TDX v4 quote and its collateral, signed by a freshly generated test PKI (not Intel). The one
 * operation behind {@code sealwright quote simulate} and the {@code quote.simulate} step; {@code kbs simulate-quotes}
 * makes its PKI and collateral here too ({@link #provider}, {@link #collateral}).
 */
public final class TdxQuoteSimulation {
    /** How long the collateral is valid from {@code at}. */
    public static final Duration COLLATERAL_VALIDITY = Duration.ofDays(30);

    private TdxQuoteSimulation() {}

    /**
     * What the quote carries; null means zeros (REPORTDATA is zero-padded to 64 bytes, each register to 48) and,
     * for {@code at}, now: the start of the collateral's validity.
     */
    public record Request(byte[] reportData, byte[] mrtd, byte[][] rtmrs, Instant at) {
        public Request {
            reportData = Arrays.copyOf(reportData == null ? new byte[0] : reportData, 64);
            mrtd = register(mrtd);
            byte[][] r = new byte[4][];
            for (int i = 0; i < 4; i++) r[i] = register(rtmrs == null ? null : rtmrs[i]);
            rtmrs = r;
            at = at == null ? Instant.now() : at;
        }

        private static byte[] register(byte[] value) {
            return Arrays.copyOf(value == null ? new byte[0] : value, 48);
        }
    }

    /** Where the quote and collateral went and the collateral's validity. */
    public record Result(Path quote, Path collateral, Instant validFrom, Instant validUntil) {}

    /** Writes the SIMULATED quote to {@code quoteOut} and its collateral (dcap-qvl JSON) to {@code collateralOut}. */
    public static Result write(Request request, Path quoteOut, Path collateralOut) throws IOException {
        SimulatedTdxProvider provider = provider(request.at());
        AtomicFiles.write(quoteOut, provider.quote(request.reportData(), request.mrtd(), request.rtmrs()).toBytes());
        collateral(provider, request.at()).writeQvlJson(collateralOut);
        return new Result(quoteOut, collateralOut, request.at(), request.at().plus(COLLATERAL_VALIDITY));
    }

    /** The registers a quote carries, in the order {@link #registers} returns them. */
    public static final List<String> REGISTERS = List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3");

    /**
     * MRTD and RTMR0..3 (in {@link #REGISTERS} order, 48 bytes each): as given (name to hex), else from the measure.tdx
     * prediction {@code expected} (null: none), else null (zeros in a request). {@code who} names the step in errors.
     */
    public static byte[][] registers(String who, Path expected, Map<String, String> given) {
        JsonNode doc = expected == null ? null : SimulationInputs.json(who, expected);
        byte[][] out = new byte[REGISTERS.size()][];
        for (int i = 0; i < out.length; i++) {
            String name = REGISTERS.get(i);
            if (given.get(name) != null) out[i] = SimulationInputs.bytes(who, name, given.get(name), 48, true);
            else if (doc != null && doc.hasNonNull(name)) out[i] = SimulationInputs.bytes(who, expected + ": \"" + name + "\"", doc.get(name).asText(), 48, true);
        }
        return out;
    }

    /** A request carrying {@code registers} (as {@link #registers} returns them). */
    public static Request request(byte[] reportData, byte[][] registers, Instant at) {
        return new Request(reportData, registers[0], Arrays.copyOfRange(registers, 1, 5), at);
    }

    /** A fresh test PKI valid from a day before {@code at} for ten years. */
    public static SimulatedTdxProvider provider(Instant at) {
        return new SimulatedTdxProvider(at.minus(Duration.ofDays(1)), at.plus(Duration.ofDays(3650)));
    }

    /** The collateral of {@code provider}, valid {@link #COLLATERAL_VALIDITY} from {@code at}. */
    public static Collateral collateral(SimulatedTdxProvider provider, Instant at) {
        return provider.collateral(at, at.plus(COLLATERAL_VALIDITY), List.of());
    }
}
