package dev.sealwright.tools;

import dev.sealwright.base.CacheDirs;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Locates the static C helpers built by the native-helpers module. They travel as class-path
 * resources; from an exploded build they are used in place, from a jar they are copied once into
 * a content-addressed cache directory ({@code $XDG_CACHE_HOME/sealwright/helpers/<sha256>/}).
 */
public final class NativeHelpers {
    private static final String BASE = "/dev/sealwright/nativeio/linux-x86_64/";

    private NativeHelpers() {}

    /** Names of the helpers this build carries. */
    public static List<String> available() {
        try (InputStream in = NativeHelpers.class.getResourceAsStream(BASE + "MANIFEST")) {
            if (in == null) return List.of();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An executable path for the helper, or a clear error naming what this build has. */
    public static Path path(String name) {
        URL url = NativeHelpers.class.getResource(BASE + name);
        if (url == null)
            throw new RecipeException("native helper '" + name + "' is not in this build (built: " + String.join(", ", available())
                    + "); rebuild with ./sealwright --version or mvn package");
        try {
            if ("file".equals(url.getProtocol())) {
                Path p = Path.of(url.toURI());
                if (Files.isExecutable(p)) return p;
            }
            byte[] bytes;
            try (InputStream in = url.openStream()) {
                bytes = in.readAllBytes();
            }
            Path target = CacheDirs.unpacked(name, bytes);
            if (!Files.isExecutable(target)) Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            return target;
        } catch (IOException | URISyntaxException e) {
            throw new RecipeException("cannot unpack native helper '" + name + "': " + e.getMessage(), e);
        }
    }
}
