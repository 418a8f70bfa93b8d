package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.dcap.IntelRootCa;
import dev.sealwright.attest.dcap.QeIdentity;
import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.attest.dcap.QuoteVerifier;
import dev.sealwright.attest.dcap.TcbInfo;
import dev.sealwright.attest.sim.SimulatedTdxProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * DCAP quotes and their collateral: tag 0 = a quote file (binary or hex text), parsed, printed and
 * verified against dcap-qvl's collateral; tag 1 = a dcap-qvl collateral JSON file, read and used
 * to verify dcap-qvl's quote; tag 2 / 3 = a TCB info / QE identity JSON body.
 */
class DcapQuoteFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("dcap-quote");
    /** The end of the collateral's validity window (README E-1): verification then runs to the TCB status. */
    private static final Instant AT = Instant.parse("2025-07-19T10:00:34Z");
    private static final QuoteVerifier VERIFIER = new QuoteVerifier(IntelRootCa.pinned());
    private static final Quote QUOTE = Quote.readFile(Fuzz.fixture("dcap/dcap-qvl/tdx_quote"));
    private static final Collateral COLLATERAL = Collateral.read(Fuzz.fixture("dcap/dcap-qvl/tdx_quote_collateral.json"));

    static Stream<Arguments> seeds() {
        List<byte[]> s = new ArrayList<>();
        for (String q : List.of("dcap/dcap-qvl/tdx_quote", "dcap/dcap-qvl/tdx_quote_outdated", "dcap/dcap-qvl/sgx_quote",
                "dcap/dcap-qvl/tdx-quote.hex", "dcap/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
                "dcap/go-tdx-guest/quote_v5_sample.dat", "quex/quex-pack/quote.dat")) {
            s.add(Fuzz.tagged(0, Fuzz.fixtureBytes(q)));
        }
        for (String c : List.of("dcap/dcap-qvl/tdx_quote_collateral.json", "dcap/dcap-qvl/sgx_quote_collateral.json")) {
            s.add(Fuzz.tagged(1, Fuzz.fixtureBytes(c)));
        }
        // our writers: a SIMULATED quote, and collateral written by Collateral.writeQvlJson
        var sim = new SimulatedTdxProvider(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2035-01-01T00:00:00Z"));
        s.add(Fuzz.tagged(0, sim.quote(new byte[64], new byte[48], new byte[][] {new byte[48], new byte[48], new byte[48], new byte[48]}).toBytes()));
        Path written = Fuzz.scratch("collateral-seed.json", new byte[0]);
        COLLATERAL.writeQvlJson(written);
        s.add(Fuzz.tagged(1, Fuzz.read(written)));
        Collateral simulated = sim.collateral(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2035-01-01T00:00:00Z"), List.of());
        s.add(Fuzz.tagged(2, COLLATERAL.tcbInfoJson().getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(2, simulated.tcbInfoJson().getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(2, Fuzz.fixtureBytes("dcap/go-tdx-guest/sample_tcbinfo_response_v5")));
        s.add(Fuzz.tagged(3, COLLATERAL.qeIdentityJson().getBytes(StandardCharsets.UTF_8)));
        s.add(Fuzz.tagged(3, simulated.qeIdentityJson().getBytes(StandardCharsets.UTF_8)));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        switch (data[0] & 3) {
            case 0 -> Fuzz.expectOneLine(() -> {
                Quote q = Quote.readFile(Fuzz.scratch("quote", body));
                q.fields();
                VERIFIER.verify(q, COLLATERAL, AT);
            });
            case 1 -> Fuzz.expectOneLine(() -> VERIFIER.verify(QUOTE, Collateral.read(Fuzz.scratch("collateral.json", body)), AT));
            case 2 -> Fuzz.expectOneLine(() -> TcbInfo.parse(new String(body, StandardCharsets.UTF_8), "tcb_info"));
            default -> Fuzz.expectOneLine(() -> QeIdentity.parse(new String(body, StandardCharsets.UTF_8), "qe_identity"));
        }
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
