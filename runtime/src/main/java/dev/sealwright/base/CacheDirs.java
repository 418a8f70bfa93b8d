package dev.sealwright.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where sealwright keeps what it fetches or unpacks: {@code $XDG_CACHE_HOME/sealwright}, else {@code ~/.cache/sealwright}. */
public final class CacheDirs {
    private CacheDirs() {}

    public static Path root() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sealwright");
    }

    /**
     * {@code bytes} as the file {@code name} in a content-addressed directory, {@code root()/helpers/<sha256>/}, written
     * (by rename) only when that file is missing or of another size; returns its path.
     */
    public static Path unpacked(String name, byte[] bytes) throws IOException {
        String sha256;
        try {
            sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path file = root().resolve("helpers").resolve(sha256).resolve(name);
        if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, bytes);
        }
        return file;
    }
}
