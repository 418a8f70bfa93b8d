package dev.sealwright.cloud;

import dev.sealwright.base.CacheDirs;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Apt;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A Debian package (shim-signed, grub-efi-amd64-signed) fetched once with {@code apt-get download}
 * into {@code $XDG_CACHE_HOME/sealwright/debs/NAME_VERSION} and unpacked there with {@code dpkg-deb -x};
 * nothing is installed on the host. The candidate version apt knows is part of the directory name, so
 * a new version is a new directory.
 */
public final class DebianPackage {
    private DebianPackage() {}

    public static Path defaultCacheRoot() {
        return CacheDirs.root().resolve("debs");
    }

    /** The unpacked root of the candidate version of {@code name}. */
    public static Path fetch(Tools tools, Path cacheRoot, String name, Consumer<String> log) throws IOException {
        if (!name.matches("[a-z0-9][a-z0-9.+-]*")) throw new RecipeException("debian package '" + name + "': not a Debian package name");
        Apt apt = new Apt(tools, log);
        String version = apt.resolve("debian package '" + name + "'", "bookworm", () -> apt.candidate(name));
        Path dir = cacheRoot.resolve(name + "_" + version.replaceAll("[^A-Za-z0-9.+~-]", "_"));
        Path root = dir.resolve("root"), done = dir.resolve("unpacked.ok");
        if (Files.isRegularFile(done)) return root;
        Files.createDirectories(dir);
        Path partial = dir.resolve("download.partial");
        AtomicFiles.deleteTree(partial);
        Files.createDirectories(partial);
        log.accept("apt-get download " + name + "=" + version);
        apt.exec("apt-get", "download", name + "=" + version).cwd(partial).timeout(Duration.ofMinutes(10)).run();
        Path deb;
        try (Stream<Path> s = Files.list(partial)) {
            deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new RecipeException("debian package '" + name + "': apt-get download produced no .deb"));
        }
        if (Files.exists(root)) AtomicFiles.deleteTree(root);
        tools.exec("dpkg-deb", "-x", deb, root).run();
        AtomicFiles.deleteTree(partial);
        AtomicFiles.write(done, (version + "\n").getBytes());
        return root;
    }
}
