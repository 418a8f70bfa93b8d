package dev.sealwright.kbs;

import dev.sealwright.base.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON line per grant and per refusal: time, remote address, TEE type, fingerprint of the TEE
 * public key (SHA-256, 16 hex digits), resource, verdict, HTTP status, reason, TCB status and
 * whether the evidence was SIMULATED. Never a secret value or key material beyond the public-key
 * fingerprint. Appended and flushed line by line (a crash loses at most the line being written).
 */
public final class AuditLog implements AutoCloseable {
    /** One audit record; null fields are left out. */
    public record Entry(Instant time, String remote, String tee, String teeKey, String resource, String verdict, int status,
                        String reason, String tcbStatus, boolean simulated) {
        Map<String, Object> fields() {
            var m = new LinkedHashMap<String, Object>();
            m.put("time", time.toString());
            m.put("remote", remote);
            put(m, "tee", tee);
            put(m, "tee_key", teeKey);
            put(m, "resource", resource);
            m.put("verdict", verdict);
            m.put("status", status);
            put(m, "reason", reason);
            put(m, "tcb_status", tcbStatus);
            if (simulated) {
                m.put("SIMULATED", true);
            }
            return m;
        }

        private static void put(Map<String, Object> m, String k, Object v) {
            if (v != null) {
                m.put(k, v);
            }
        }
    }

    private final OutputStream out;
    private final boolean owned;

    private AuditLog(OutputStream out, boolean owned) {
        this.out = out;
        this.owned = owned;
    }

    /** Appends to {@code file} (created 0600 if absent). */
    public static AuditLog toFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        return new AuditLog(Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
    }

    /** Writes to a stream the caller owns (e.g. stderr). */
    public static AuditLog to(OutputStream stream) {
        return new AuditLog(stream, false);
    }

    public synchronized void record(Entry e) {
        try {
            out.write((Json.canonical(e.fields()) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException x) {
            throw new UncheckedIOException("audit log write failed", x);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (owned) {
            out.close();
        } else {
            out.flush();
        }
    }
}
