package dev.sealwright.engine;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Content digests ("sha256:&lt;hex&gt;") of files and directory trees. Only bytes, the executable bit
 * and symlink targets count, never paths, owners or mtimes, so touching or moving a file does not
 * invalidate the cache. File digests are remembered by (size, mtime, ctime, inode) in a small
 * stat cache so a fully cached re-run does not re-read large inputs.
 */
public final class ContentDigests {
    private record Stat(long size, long mtime, long ctime, long inode) {}
    private record Known(Stat stat, String digest) {}

    private final Path statCacheFile;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    /** @param statCacheFile where remembered digests persist between runs, or null for none */
    public ContentDigests(Path statCacheFile) {
        this.statCacheFile = statCacheFile;
        if (statCacheFile != null && Files.isRegularFile(statCacheFile)) load();
    }

    public String of(Path path) {
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) return tree(path);
            return file(path);
        } catch (IOException e) {
            throw new RecipeException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    public static String ofBytes(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private String file(Path path) throws IOException {
        InputFiles.requireFile(path, "step input");   // a FIFO or device would block or never end
        Stat st = stat(path);
        String k = path.toAbsolutePath().normalize().toString();
        Known hit = known.get(k);
        if (hit != null && hit.stat.equals(st)) return hit.digest;
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        String d = "sha256:" + HexFormat.of().formatHex(md.digest());
        // a file modified within the clock's granularity could change again unnoticed: do not remember it
        if (System.currentTimeMillis() - st.mtime / 1_000_000 > 2000) {
            known.put(k, new Known(st, d));
            dirty = true;
        }
        return d;
    }

    private String tree(Path root) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !p.equals(root)).forEach(entries::add);
        }
        entries.sort((a, b) -> rel(root, a).compareTo(rel(root, b)));
        StringBuilder sb = new StringBuilder("tree-v1\n");
        for (Path p : entries) {
            String r = rel(root, p);
            if (Files.isSymbolicLink(p)) sb.append("l ").append(r).append(' ').append(Files.readSymbolicLink(p)).append('\n');
            else if (Files.isDirectory(p)) sb.append("d ").append(r).append('\n');
            else sb.append(Files.isExecutable(p) ? "x " : "f ").append(r).append(' ').append(file(p)).append('\n');
        }
        return ofBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static Stat stat(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,ino");
        return new Stat((Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")), (Long) a.get("ino"));
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void load() {
        try {
            for (String line : Files.readAllLines(statCacheFile, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", 6);
                if (f.length != 6) continue;
                try {
                    known.put(f[5], new Known(new Stat(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])), f[4]));
                } catch (NumberFormatException ignored) {
                    // a damaged line only costs a re-hash
                }
            }
        } catch (IOException e) {
            // an unreadable stat cache only costs re-hashing
        }
    }

    /** Persists remembered digests (atomically) if anything new was learned. */
    public void save() {
        if (statCacheFile == null || !dirty) return;
        StringBuilder sb = new StringBuilder();
        known.forEach((path, k) -> sb.append(k.stat.size).append('\t').append(k.stat.mtime).append('\t').append(k.stat.ctime).append('\t')
                .append(k.stat.inode).append('\t').append(k.digest).append('\t').append(path).append('\n'));
        try {
            AtomicFiles.write(statCacheFile, sb.toString().getBytes(StandardCharsets.UTF_8));
            dirty = false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
