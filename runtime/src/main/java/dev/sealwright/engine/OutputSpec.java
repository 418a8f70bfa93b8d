package dev.sealwright.engine;

/**
 * One declared output of a step type: a file, a directory, a secret file, or a small value kept in the cache entry.
 * A {@link Kind#SECRET} output (a generated key, a decrypted PEM key) stays a secret downstream: the engine makes it
 * owner-only on disk, records an HMAC of it (keyed by the workspace's secret salt) instead of its SHA-256 in the cache
 * entry, dependants' keys and the run report, registers its content with the masker, and only an option of type
 * {@link dev.sealwright.base.Secret} may take it.
 */
public record OutputSpec(String name, Kind kind, String fileName, String description) {
    public enum Kind { FILE, DIRECTORY, SECRET, VALUE }

    public static OutputSpec file(String name, String fileName, String description) {
        return new OutputSpec(name, Kind.FILE, fileName, description);
    }

    public static OutputSpec directory(String name, String fileName, String description) {
        return new OutputSpec(name, Kind.DIRECTORY, fileName, description);
    }

    /** A file holding a secret the step made (mode 0600 when written; read-only, owner-only in the store). */
    public static OutputSpec secret(String name, String fileName, String description) {
        return new OutputSpec(name, Kind.SECRET, fileName, description);
    }

    public static OutputSpec value(String name, String description) {
        return new OutputSpec(name, Kind.VALUE, null, description);
    }

    public boolean isPath() {
        return kind != Kind.VALUE;
    }

    public boolean isSecret() {
        return kind == Kind.SECRET;
    }
}
