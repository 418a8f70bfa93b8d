package dev.sealwright.base;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A secret value (seed, key, passphrase). Its {@link #toString()} never shows the value; it enters
 * cache keys only as a workspace-keyed MAC (see {@code engine.StepKey}); it is written to disk only through
 * {@link AtomicFiles#writeSecret}, which creates 0600 files.
 */
public final class Secret {
    private final String source;
    private final Path file;
    private final byte[] literal;

    private Secret(String source, Path file, byte[] literal) {
        this.source = source;
        this.file = file;
        this.literal = literal;
    }

    /** A secret read from a file when a step needs it; the file's path is shown, never its content. */
    public static Secret ofFile(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return new Secret("file " + file, abs, null);
    }

    /** A secret given inline (e.g. from an environment variable); labelled by where it came from. */
    public static Secret ofValue(String label, byte[] value) {
        return new Secret(label, null, value.clone());
    }

    public static Secret ofEnv(String variable) {
        String v = System.getenv(variable);
        if (v == null) throw new RecipeException("secret environment variable " + variable + " is not set");
        return new Secret("env " + variable, null, v.getBytes(StandardCharsets.UTF_8));
    }

    /** Where the secret comes from, safe to print: "file seed.dat" or "env VAULT_SEED". */
    public String source() {
        return source;
    }

    /** The file holding the secret, or null for inline secrets. */
    public Path file() {
        return file;
    }

    /** The secret bytes. Callers must not log them; {@link SecretMasker} masks known values in step logs. */
    public byte[] reveal() {
        if (literal != null) return literal.clone();
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RecipeException("cannot read secret " + file + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "secret(" + source + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.source.equals(source) && java.util.Objects.equals(s.file, file)
                && Arrays.equals(s.literal, literal);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }
}
