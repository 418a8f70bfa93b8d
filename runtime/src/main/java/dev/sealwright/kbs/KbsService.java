package dev.sealwright.kbs;

import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;

/**
 * The one broker start: {@code sealwright kbs serve} and the {@code kbs} step both build a {@link Request}
 * and call {@link #start}; the defaults live here. The verb serves until Ctrl-C, the step while its run needs it.
 */
public final class KbsService implements AutoCloseable {
    public static final int DEFAULT_PORT = 8990;
    public static final String DEFAULT_BIND = "127.0.0.1";

    /**
     * {@code secrets}: secrets.json (0600), required without {@code store}; {@code collateral} replaces the policy's
     * tdx.collateral; {@code store} (h2:PATH or a JDBC URL) needs {@code kek}; {@code replica} defaults to host:pid;
     * {@code tlsCert} and {@code tlsKey} go together; null {@code bind}/{@code port}/{@code limits} take the defaults.
     * {@code audit} is where grants and refusals are logged (the verb's stderr or file, the step's output).
     */
    public record Request(Path policy, Path collateral, Path secrets, String store, byte[] kek, String replica,
                          String bind, Integer port, Path tlsCert, Path tlsKey, AuditLog audit, HttpFront.Limits limits) {}

    private final KbsServer server;
    private final KbsStore store;
    private final KbsPolicy policy;

    private KbsService(KbsServer server, KbsStore store, KbsPolicy policy) {
        this.server = server;
        this.store = store;
        this.policy = policy;
    }

    public static KbsService start(Request r) throws UnknownHostException {
        if ((r.tlsCert() == null) != (r.tlsKey() == null)) throw new RecipeException("kbs: a TLS certificate and its key go together");
        if (r.store() == null && r.secrets() == null) throw new RecipeException("kbs: a secrets file is required without a store");
        if (r.store() == null && r.kek() != null) throw new RecipeException("kbs: a key-encryption key goes with a store");
        if (r.store() != null && r.kek() == null)
            throw new RecipeException("kbs: a store needs a key-encryption key (a file, or $" + KbsKek.ENV + ")");
        KbsSecrets secrets = r.secrets() == null ? null : KbsSecrets.read(r.secrets());   // first: a loosely protected secrets file stops everything
        KbsPolicy policy = KbsPolicy.read(r.policy());
        if (r.collateral() != null) policy = policy.withCollateral(Collateral.read(r.collateral()));
        SSLContext tls = r.tlsCert() == null ? null : KbsTls.fromPem(r.tlsCert(), r.tlsKey());
        InetSocketAddress address = new InetSocketAddress(r.bind() == null ? DEFAULT_BIND : r.bind(), r.port() == null ? DEFAULT_PORT : r.port());
        HttpFront.Limits limits = r.limits() == null ? HttpFront.Limits.DEFAULT : r.limits();
        if (r.store() == null)
            return new KbsService(KbsServer.start(policy, secrets, r.secrets(), r.audit(), Clock.systemUTC(), address, tls, limits), null, policy);
        String replica = r.replica() != null ? r.replica() : InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
        KbsStore db = KbsStore.open(r.store(), r.kek(), replica);
        try {
            return new KbsService(KbsServer.start(policy, HexFormat.of().formatHex(InputFiles.digest(r.policy(), "SHA-256")), secrets, r.secrets(), db,
                    r.audit(), Clock.systemUTC(), address, tls, limits), db, policy);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public KbsServer server() { return server; }

    /** The store, or null when the broker keeps its state in memory. */
    public KbsStore store() { return store; }

    public KbsPolicy policy() { return policy; }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            if (store != null) store.close();
        }
    }
}
