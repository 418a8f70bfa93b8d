package dev.sealwright.kbs;

import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.sim.SimulatedTdxProvider;
import dev.sealwright.attest.sim.TdxQuoteSimulation;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * SIMULATED stand-in for the host's quote generation service (QGS), for machines without TDX: a
 * guest POSTs 128 hex digits of REPORTDATA to {@code /sim/v0/quote} and gets back a DCAP v4 TDX
 * quote carrying the configured MRTD/RTMRs, signed by a freshly generated SIMULATED test PKI (not
 * Intel). A broker accepts these only when its policy sets {@code tdx.trust_simulated} and uses
 * {@link #collateral()}. Never used implicitly: the guest client must be told its URL.
 */
public final class SimulatedQuoteService implements AutoCloseable {
    public static final String PATH = "/sim/v0/quote";
    /** Where {@code kbs simulate-quotes} and the kbs.simulatedQuotes step listen unless told otherwise. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8991;

    private final SimulatedTdxProvider provider;
    private final Collateral collateral;
    private final byte[] mrTd;
    private final byte[][] rtmrs;
    private final boolean debug;
    private final HttpFront front;

    private SimulatedQuoteService(InetSocketAddress address, byte[] mrTd, byte[][] rtmrs, boolean debug, Instant now) {
        Instant from = now.minus(Duration.ofHours(1));   // a guest clock a little behind still sees valid collateral
        this.provider = TdxQuoteSimulation.provider(from);
        this.collateral = TdxQuoteSimulation.collateral(provider, from);
        this.mrTd = mrTd.clone();
        this.rtmrs = rtmrs.clone();
        this.debug = debug;
        front = HttpFront.start("sim-qgs", address, null, HttpFront.Limits.DEFAULT, 256, 4, this::handle,
                (remote, status, reason) -> text(status, reason + "\n"));
    }

    /** Starts the service; quotes carry {@code mrTd}, {@code rtmrs} (48 bytes each) and DEBUG when {@code debug}. */
    public static SimulatedQuoteService start(InetSocketAddress address, byte[] mrTd, byte[][] rtmrs, boolean debug) {
        return new SimulatedQuoteService(address, mrTd, rtmrs, debug, Instant.now());
    }

    /** The provider (for in-process callers that make quotes without HTTP). */
    public SimulatedTdxProvider provider() {
        return provider;
    }

    /** Collateral matching this service's SIMULATED PKI, valid for 30 days from an hour before start. */
    public Collateral collateral() {
        return collateral;
    }

    public byte[] quote(byte[] reportData) {
        return provider.quote(reportData, mrTd, rtmrs, debug).toBytes();
    }

    public URI url() {
        return URI.create("http://" + front.address().getAddress().getHostAddress() + ":" + front.address().getPort() + PATH);
    }

    private HttpFront.Response handle(HttpFront.Request req) {
        if (!req.path().equals(PATH)) {
            return text(404, "no such endpoint " + req.path() + " (POST " + PATH + ")\n");
        }
        byte[] rd;
        try {
            rd = HexFormat.of().parseHex(new String(req.body(), StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            rd = null;
        }
        if (!req.method().equals("POST") || rd == null || rd.length != 64) {
            return text(400, "POST 128 hex digits of REPORTDATA\n");
        }
        return new HttpFront.Response(200, "application/octet-stream", quote(rd));
    }

    private static HttpFront.Response text(int status, String message) {
        return new HttpFront.Response(status, "text/plain", message.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        front.close();
    }
}
