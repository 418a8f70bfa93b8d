package dev.sealwright.kbs;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * The broker store's key-encryption key: 32 bytes, as 64 hex digits (what {@code openssl rand -hex 32}
 * prints), from a 0600 file or the {@link #ENV} environment variable. It is never written to the store,
 * a log or a command line.
 */
public final class KbsKek {
    public static final String ENV = "SEALWRIGHT_KBS_KEK";
    private static final InputFiles.Bound BOUND = new InputFiles.Bound("a key-encryption key file", 4096);

    private KbsKek() {}

    /** From {@code file} (mode 0600 or stricter). */
    public static byte[] fromFile(Path file) {
        InputFiles.requireFile(file, "key-encryption key file");
        try {
            var loose = new java.util.HashSet<>(Files.getPosixFilePermissions(file));
            loose.removeAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            if (!loose.isEmpty()) {
                throw new RecipeException(file + ": key-encryption key file must be mode 0600 (chmod 600 " + file + ")");
            }
        } catch (IOException e) {
            throw new RecipeException(file + ": cannot stat: " + e.getMessage());
        }
        byte[] raw = InputFiles.read(file, BOUND);
        try {
            return parse(new String(raw, StandardCharsets.US_ASCII), file.toString());
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** From the environment variable {@link #ENV}; null when it is not set. */
    public static byte[] fromEnvironment() {
        String v = System.getenv(ENV);
        return v == null ? null : parse(v, "$" + ENV);
    }

    static byte[] parse(String text, String where) {
        String hex = text.strip();
        if (hex.length() != 64) {
            throw new RecipeException(where + ": the key-encryption key must be 64 hex digits (openssl rand -hex 32), not " + hex.length() + " characters");
        }
        try {
            return HexFormat.of().parseHex(hex.toLowerCase());
        } catch (IllegalArgumentException e) {
            throw new RecipeException(where + ": the key-encryption key is not hex");
        }
    }
}
