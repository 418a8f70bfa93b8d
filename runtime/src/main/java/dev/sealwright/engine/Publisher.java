package dev.sealwright.engine;

import dev.sealwright.base.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Makes step outputs visible as {@code out/<step>/<file>}: hard links to the read-only cache copy
 * (a copy where links are impossible), placed by rename so a reader never sees a partial file.
 */
final class Publisher {
    private Publisher() {}

    static void publish(Path source, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".publishing");
        AtomicFiles.deleteTree(tmp);
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            if (sameTree(source, target)) return;
            try (Stream<Path> s = Files.walk(source)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path to = tmp.resolve(source.relativize(p).toString());
                    if (Files.isSymbolicLink(p)) Files.createSymbolicLink(to, Files.readSymbolicLink(p));
                    else if (Files.isDirectory(p)) Files.createDirectories(to);
                    else linkOrCopy(p, to);
                }
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Path old = target.resolveSibling("." + target.getFileName() + ".old");
                AtomicFiles.deleteTree(old);
                AtomicFiles.move(target, old);
                AtomicFiles.move(tmp, target);
                AtomicFiles.deleteTree(old);
            } else {
                AtomicFiles.move(tmp, target);
            }
        } else {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(source, target)) return;
            linkOrCopy(source, tmp);
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) AtomicFiles.deleteTree(target);
            AtomicFiles.move(tmp, target);
        }
    }

    /** True when target already holds exactly the source's entries, files as hard links to the same inodes. */
    private static boolean sameTree(Path source, Path target) throws IOException {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) return false;
        long[] count = {0, 0};
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                count[0]++;
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    if (!Files.isSymbolicLink(t) || !Files.readSymbolicLink(t).equals(Files.readSymbolicLink(p))) return false;
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) return false;
                } else if (!Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS) || !Files.isSameFile(p, t)) {
                    return false;
                }
            }
        }
        try (Stream<Path> s = Files.walk(target)) {
            count[1] = s.count();
        }
        return count[0] == count[1];
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
