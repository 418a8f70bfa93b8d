package dev.sealwright.kbs;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sealwright.base.RecipeException;
import org.flywaydb.core.Flyway;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * All key broker state in one JDBC database (docs/kbs.md "State"): outstanding nonces, the
 * append-only audit log, the resources' secrets sealed under a key-encryption key that is never
 * stored, and the policy version in force. {@code h2:PATH} is an embedded H2 file database;
 * {@code jdbc:postgresql://…} (any JDBC URL) a server shared by replicas. A HikariCP pool; the
 * schema is migrated by Flyway on open. Every statement commits before the broker answers, so a
 * replica killed at any point loses nothing it acknowledged. Single use of a nonce is the
 * database's: {@link #consume} is one conditional UPDATE whose row count says whether this caller
 * consumed it.
 */
public final class KbsStore implements AutoCloseable {
    public static final int NONCE_SIZE = 32;
    private static final int REASON_MAX = 1024;

    /** What a nonce was issued for. */
    public record Challenge(byte[] nonce, String resource, String tee, byte[] teePublicKey, Instant expires) {}

    private final HikariDataSource pool;
    private final SecretKeySpec kek;
    private final String kekId;
    private final String replica;
    private final String description;
    private final SecureRandom random = new SecureRandom();

    private KbsStore(HikariDataSource pool, byte[] kek, String replica, String description) {
        this.pool = pool;
        this.description = description;
        this.kek = new SecretKeySpec(kek, "AES");
        this.kekId = HexFormat.of().formatHex(sha256(kek), 0, 8);
        this.replica = replica;
    }

    /**
     * Opens (and migrates) the store named by {@code spec}: {@code h2:PATH} (embedded, file mode;
     * other processes on the same machine may share it) or a JDBC URL; user and password come from
     * the URL. {@code kek} is the 32-byte key-encryption key; {@code replica} names this broker in
     * the nonce and audit rows.
     */
    public static KbsStore open(String spec, byte[] kek, String replica) {
        if (kek == null || kek.length != 32) {
            throw new RecipeException("kbs store: the key-encryption key must be 32 bytes");
        }
        var cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl(spec));
        cfg.setPoolName("kbs-store");
        cfg.setMaximumPoolSize(12);
        cfg.setMinimumIdle(2);
        cfg.setConnectionTimeout(10_000);
        cfg.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new RecipeException("kbs store " + redact(spec) + ": cannot connect: " + rootMessage(e));
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:dev/sealwright/kbs/db").loggers("slf4j").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new RecipeException("kbs store " + redact(spec) + ": schema migration failed: " + rootMessage(e));
        }
        return new KbsStore(pool, kek, replica, redact(spec));
    }

    /** A store only in this JVM's memory (a recipe's broker, tests): gone when closed. */
    public static KbsStore ephemeral() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return open("jdbc:h2:mem:kbs-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", kek, "local");
    }

    static String jdbcUrl(String spec) {
        if (spec.startsWith("h2:")) {
            String path = spec.substring(3);
            if (path.isEmpty()) {
                throw new RecipeException("--store h2:PATH: the path is empty");
            }
            // AUTO_SERVER: replicas on one machine share the file; WRITE_DELAY=0: a commit is in the file before we answer
            return "jdbc:h2:file:" + Path.of(path).toAbsolutePath() + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
        }
        if (spec.startsWith("jdbc:")) {
            return spec;
        }
        throw new RecipeException("--store " + redact(spec) + ": expected h2:PATH or a JDBC URL (jdbc:postgresql://HOST:PORT/DB?user=…)");
    }

    /** The URL without its query (which may carry a password). */
    static String redact(String spec) {
        int q = spec.indexOf('?');
        return q < 0 ? spec : spec.substring(0, q) + "?…";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** The store as given, without a URL query (which may carry a password). */
    public String describe() {
        return description;
    }

    public String replica() {
        return replica;
    }

    // ---- nonces

    /** A fresh nonce bound to the resource, TEE type and key; refused (503) when {@code capacity} are outstanding. */
    public Challenge issue(String resource, String tee, byte[] teePublicKey, Instant now, Instant expiry, int capacity) {
        Instant expires = expiry.truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // what the store keeps
        byte[] nonce = new byte[NONCE_SIZE];
        random.nextBytes(nonce);
        try (Connection c = pool.getConnection()) {
            if ((nonce[0] & 0xff) == 0) { // about one issue in 256: forget what expired long ago
                purge(c, now);
            }
            try (var st = c.prepareStatement("SELECT COUNT(*) FROM kbs_nonce WHERE state = 'issued' AND expires_at >= ?")) {
                st.setLong(1, now.toEpochMilli());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= capacity) {
                        throw new KbsRefusal(503, "too many outstanding challenges (" + capacity + "); retry later");
                    }
                }
            }
            try (var st = c.prepareStatement("INSERT INTO kbs_nonce (nonce, resource, tee, tee_pubkey, issued_at, expires_at, issued_by, state)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, 'issued')")) {
                st.setString(1, b64(nonce));
                st.setString(2, resource);
                st.setString(3, tee);
                st.setString(4, b64(teePublicKey));
                st.setLong(5, now.toEpochMilli());
                st.setLong(6, expires.toEpochMilli());
                st.setString(7, replica);
                st.executeUpdate();
            }
        } catch (SQLException e) {
            throw storeFailure(e);
        }
        return new Challenge(nonce, resource, tee, teePublicKey.clone(), expires);
    }

    /**
     * Consumes the nonce: one conditional UPDATE (issued → consumed, or → expired when past its
     * time) that only one caller in all replicas can win. Refusals (401) say why.
     */
    public Challenge consume(byte[] nonce, Instant now) {
        String k = b64(nonce);
        try (Connection c = pool.getConnection()) {
            int won;
            try (var st = c.prepareStatement("UPDATE kbs_nonce SET state = CASE WHEN expires_at >= ? THEN 'consumed' ELSE 'expired' END,"
                    + " consumed_at = ?, consumed_by = ? WHERE nonce = ? AND state = 'issued'")) {
                st.setLong(1, now.toEpochMilli());
                st.setLong(2, now.toEpochMilli());
                st.setString(3, replica);
                st.setString(4, k);
                won = st.executeUpdate();
            }
            try (var st = c.prepareStatement("SELECT resource, tee, tee_pubkey, expires_at, state, consumed_by FROM kbs_nonce WHERE nonce = ?")) {
                st.setString(1, k);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        throw new KbsRefusal(401, "unknown nonce (not issued by this broker)");
                    }
                    Instant expires = Instant.ofEpochMilli(rs.getLong(4));
                    String state = rs.getString(5);
                    if (state.equals("expired")) {
                        throw new KbsRefusal(401, "nonce expired at " + expires);
                    }
                    if (won != 1 || !state.equals("consumed") || !replica.equals(rs.getString(6))) {
                        throw new KbsRefusal(401, "nonce already used (replay)");
                    }
                    return new Challenge(nonce.clone(), rs.getString(1), rs.getString(2), Base64.getDecoder().decode(rs.getString(3)), expires);
                }
            }
        } catch (SQLException e) {
            throw storeFailure(e);
        }
    }

    /** Marks overdue challenges expired and deletes rows that expired more than ten minutes ago. */
    private static void purge(Connection c, Instant now) throws SQLException {
        try (var st = c.prepareStatement("UPDATE kbs_nonce SET state = 'expired' WHERE state = 'issued' AND expires_at < ?")) {
            st.setLong(1, now.toEpochMilli());
            st.executeUpdate();
        }
        try (var st = c.prepareStatement("DELETE FROM kbs_nonce WHERE expires_at < ?")) {
            st.setLong(1, now.minusSeconds(600).toEpochMilli());
            st.executeUpdate();
        }
    }

    /** Nonces per state: issued (not yet expired), consumed, expired (including overdue issued ones). */
    public java.util.Map<String, Long> nonceCounts(Instant now) {
        var m = new java.util.TreeMap<String, Long>();
        try (Connection c = pool.getConnection(); var st = c.prepareStatement(
                "SELECT CASE WHEN state = 'issued' AND expires_at < ? THEN 'expired' ELSE state END AS s, COUNT(*) FROM kbs_nonce GROUP BY s")) {
            st.setLong(1, now.toEpochMilli());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    m.merge(rs.getString(1), rs.getLong(2), Long::sum);
                }
            }
        } catch (SQLException e) {
            throw storeFailure(e);
        }
        return m;
    }

    // ---- audit

    /** Appends one audit row (committed before the caller answers). */
    public void audit(AuditLog.Entry e, String nonce, int policyVersion) {
        try (Connection c = pool.getConnection(); var st = c.prepareStatement(
                "INSERT INTO kbs_audit (at_time, replica, remote, tee, tee_key, resource, nonce, verdict, status, reason, tcb_status, simulated, policy_version)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, e.time().toString());
            st.setString(2, replica);
            st.setString(3, e.remote());
            setNullable(st, 4, e.tee());
            setNullable(st, 5, e.teeKey());
            setNullable(st, 6, e.resource());
            setNullable(st, 7, nonce);
            st.setString(8, e.verdict());
            st.setInt(9, e.status());
            setNullable(st, 10, e.reason() == null || e.reason().length() <= REASON_MAX ? e.reason() : e.reason().substring(0, REASON_MAX));
            setNullable(st, 11, e.tcbStatus());
            st.setBoolean(12, e.simulated());
            st.setInt(13, policyVersion);
            st.executeUpdate();
        } catch (SQLException x) {
            throw storeFailure(x);
        }
    }

    /** Audit rows per verdict (grant, refuse). */
    public java.util.Map<String, Long> auditCounts() {
        var m = new java.util.TreeMap<String, Long>();
        try (Connection c = pool.getConnection(); var st = c.prepareStatement("SELECT verdict, COUNT(*) FROM kbs_audit GROUP BY verdict");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw storeFailure(e);
        }
        return m;
    }

    private static void setNullable(PreparedStatement st, int i, String v) throws SQLException {
        if (v == null) {
            st.setNull(i, Types.VARCHAR);
        } else {
            st.setString(i, v);
        }
    }

    // ---- resources

    /**
     * Stores (or replaces) every secret, sealed under the KEK, in one transaction. Rows are written in name order, so
     * replicas starting at once cannot deadlock; a transaction the database rolled back anyway (SQL state class 40:
     * deadlock, serialization) is retried, and so is one that lost an insert race (23505: another replica inserted
     * the same resource first; the retry updates that row).
     */
    public void putSecrets(KbsSecrets secrets, Instant now) {
        for (int attempt = 1; ; attempt++) {
            try {
                putSecretsOnce(secrets, now);
                return;
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (attempt >= 5 || state == null || !(state.startsWith("40") || state.equals("23505"))) {
                    throw new RecipeException("kbs store " + description + ": cannot store the secrets: " + rootMessage(e));
                }
            }
        }
    }

    private void putSecretsOnce(KbsSecrets secrets, Instant now) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String name : new TreeSet<>(secrets.names())) {
                    byte[] value = secrets.value(name);
                    String sealed = seal(name, value);
                    Arrays.fill(value, (byte) 0);
                    try (var del = c.prepareStatement("DELETE FROM kbs_resource WHERE name = ?")) {
                        del.setString(1, name);
                        del.executeUpdate();
                    }
                    try (var ins = c.prepareStatement("INSERT INTO kbs_resource (name, sealed, kek_id, updated_at) VALUES (?, ?, ?, ?)")) {
                        ins.setString(1, name);
                        ins.setString(2, sealed);
                        ins.setString(3, kekId);
                        ins.setLong(4, now.toEpochMilli());
                        ins.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Names of the stored resources. */
    public Set<String> resources() {
        var names = new TreeSet<String>();
        try (Connection c = pool.getConnection(); var st = c.prepareStatement("SELECT name FROM kbs_resource");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw storeFailure(e);
        }
        return names;
    }

    /** The secret of {@code resource}, opened with the KEK; null if none is stored. Callers must not log it. */
    public byte[] secret(String resource) {
        try (Connection c = pool.getConnection(); var st = c.prepareStatement("SELECT sealed, kek_id FROM kbs_resource WHERE name = ?")) {
            st.setString(1, resource);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                if (!rs.getString(2).equals(kekId)) {
                    throw new RecipeException("kbs store: the secret of \"" + resource + "\" is sealed under key-encryption key "
                            + rs.getString(2) + ", not this broker's " + kekId);
                }
                return open(resource, rs.getString(1));
            }
        } catch (SQLException e) {
            throw storeFailure(e);
        }
    }

    /** The identity of the KEK: first 8 bytes of its SHA-256, in hex (stored beside each sealed secret). */
    public String kekId() {
        return kekId;
    }

    private String seal(String resource, byte[] value) {
        try {
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(128, iv));
            c.updateAAD(aad(resource));
            byte[] ct = c.doFinal(value);
            byte[] out = new byte[12 + ct.length];
            System.arraycopy(iv, 0, out, 0, 12);
            System.arraycopy(ct, 0, out, 12, ct.length);
            return b64(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] open(String resource, String sealed) {
        byte[] in = Base64.getDecoder().decode(sealed);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(128, in, 0, 12));
            c.updateAAD(aad(resource));
            return c.doFinal(in, 12, in.length - 12);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new RecipeException("kbs store: the sealed secret of \"" + resource + "\" does not open under this key-encryption key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] aad(String resource) {
        return ("sealwright-kbs-store/v1 " + resource).getBytes(StandardCharsets.UTF_8);
    }

    // ---- policy

    /**
     * Registers the policy with this SHA-256 (hex) and puts it in force; returns its version (1, 2, …
     * in order of first registration). A replica started later with another policy supersedes it.
     */
    public int putPolicyInForce(String sha256, Instant now) {
        try (Connection c = pool.getConnection()) {
            Integer v = policyVersion(c, sha256);
            if (v == null) {
                try (var st = c.prepareStatement("INSERT INTO kbs_policy (version, sha256, loaded_at, loaded_by)"
                        + " SELECT COALESCE(MAX(version), 0) + 1, ?, ?, ? FROM kbs_policy")) {
                    st.setString(1, sha256);
                    st.setLong(2, now.toEpochMilli());
                    st.setString(3, replica);
                    st.executeUpdate();
                } catch (SQLException raced) {
                    // another replica registered a policy at the same moment: read what won
                }
                v = policyVersion(c, sha256);
                if (v == null) {
                    return putPolicyInForce(sha256, now); // lost a race for the version number: try the next one
                }
            }
            try (var st = c.prepareStatement("UPDATE kbs_policy_in_force SET version = ? WHERE id = 1")) {
                st.setInt(1, v);
                if (st.executeUpdate() == 0) {
                    try (var ins = c.prepareStatement("INSERT INTO kbs_policy_in_force (id, version) VALUES (1, ?)")) {
                        ins.setInt(1, v);
                        ins.executeUpdate();
                    } catch (SQLException raced) {
                        return putPolicyInForce(sha256, now);
                    }
                }
            }
            return v;
        } catch (SQLException e) {
            throw storeFailure(e);
        }
    }

    private static Integer policyVersion(Connection c, String sha256) throws SQLException {
        try (var st = c.prepareStatement("SELECT version FROM kbs_policy WHERE sha256 = ?")) {
            st.setString(1, sha256);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    /** The policy version in force (0 if none was registered). */
    public int policyInForce() {
        try (Connection c = pool.getConnection(); var st = c.prepareStatement("SELECT version FROM kbs_policy_in_force WHERE id = 1");
             ResultSet rs = st.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw storeFailure(e);
        }
    }

    // ---- helpers

    private static RuntimeException storeFailure(SQLException e) {
        return new KbsRefusal(503, "broker store unavailable (" + (e.getSQLState() == null ? "no SQL state" : "SQL state " + e.getSQLState()) + "); retry later");
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** Closes the pool (an embedded file database is closed with its last connection). */
    @Override
    public void close() {
        pool.close();
    }
}
