package dev.sealwright.kbs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.sim.SimulatedTdxProvider;
import dev.sealwright.engine.DaemonThreads;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SIMULATED stand-in for the host's quote generation service (QGS), for machines without TDX: a
 * guest POSTs 128 hex digits of REPORTDATA to {@code /sim/v0/quote} and gets back a DCAP v4 TDX
 * quote carrying the configured MRTD/RTMRs, signed by a freshly generated SIMULATED test PKI (not
 * Intel). A broker accepts these only when its policy sets {@code tdx.trust_simulated} and uses
 * {@link #collateral()}. Never used implicitly: the guest client must be told its URL.
 */
public final class SimulatedQuoteService implements AutoCloseable {
    public static final String PATH = "/sim/v0/quote";

    static {
        KbsServer.limitRequestTime();
    }

    private final SimulatedTdxProvider provider;
    private final Collateral collateral;
    private final byte[] mrTd;
    private final byte[][] rtmrs;
    private final boolean debug;
    private final HttpServer server;
    private final ExecutorService workers;

    private SimulatedQuoteService(InetSocketAddress address, byte[] mrTd, byte[][] rtmrs, boolean debug, Instant now) throws IOException {
        this.provider = new SimulatedTdxProvider(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)));
        this.collateral = provider.collateral(now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), List.of());
        this.mrTd = mrTd.clone();
        this.rtmrs = rtmrs.clone();
        this.debug = debug;
        server = HttpServer.create(address, 256);
        workers = Executors.newFixedThreadPool(4, DaemonThreads.named("sim-qgs"));
        server.setExecutor(workers);
        server.createContext(PATH, this::handle);
    }

    /** Starts the service; quotes carry {@code mrTd}, {@code rtmrs} (48 bytes each) and DEBUG when {@code debug}. */
    public static SimulatedQuoteService start(InetSocketAddress address, byte[] mrTd, byte[][] rtmrs, boolean debug) throws IOException {
        var s = new SimulatedQuoteService(address, mrTd, rtmrs, debug, Instant.now());
        s.server.start();
        return s;
    }

    /** The provider (for in-process callers that make quotes without HTTP). */
    public SimulatedTdxProvider provider() {
        return provider;
    }

    /** Collateral matching this service's SIMULATED PKI, valid for 30 days from start. */
    public Collateral collateral() {
        return collateral;
    }

    public byte[] quote(byte[] reportData) {
        return provider.quote(reportData, mrTd, rtmrs, debug).toBytes();
    }

    public URI url() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + PATH);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            String hex = new String(in.readNBytes(256), StandardCharsets.US_ASCII).trim();
            byte[] rd;
            try {
                rd = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                rd = null;
            }
            if (!ex.getRequestMethod().equals("POST") || rd == null || rd.length != 64) {
                byte[] msg = "POST 128 hex digits of REPORTDATA\n".getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(400, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            byte[] q = quote(rd);
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, q.length);
            ex.getResponseBody().write(q);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
