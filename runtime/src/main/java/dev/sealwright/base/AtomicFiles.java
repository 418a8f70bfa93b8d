package dev.sealwright.base;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes that are all-or-nothing: a temp file beside the target, then an atomic rename. Temp files
 * are named {@code .NAME.PID-RANDOM.SUFFIX} after the process writing them; one whose process is
 * gone (killed with SIGKILL, power loss) is removed when the next temp file for the same target is
 * made, so a killed run's leftovers never outlive the next run.
 */
public final class AtomicFiles {
    private static final Pattern OWNER = Pattern.compile("\\.(\\d+)-\\d+\\.[A-Za-z.]+");

    private AtomicFiles() {}

    /**
     * A new empty temp file beside {@code target} ({@code .NAME.PID-RANDOM<suffix>}, suffix like
     * {@code ".tmp"}); first removes this target's temp files left by processes that no longer run.
     */
    public static Path tempFile(Path target, String suffix, FileAttribute<?>... attrs) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String prefix = "." + target.getFileName() + ".";
        removeStale(dir, prefix);
        return Files.createTempFile(dir, prefix + ProcessHandle.current().pid() + "-", suffix, attrs);
    }

    /** Removes {@code dir/PREFIX.PID-N.SUFFIX} files whose process is dead, or whose pid now belongs to a process started after the file's last write. */
    static void removeStale(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix)) continue;
                Matcher m = OWNER.matcher(name.substring(prefix.length() - 1));
                if (!m.matches()) continue;
                Optional<ProcessHandle> owner = ProcessHandle.of(Long.parseLong(m.group(1))).filter(ProcessHandle::isAlive);
                Instant written;
                try {
                    written = Files.getLastModifiedTime(p).toInstant();
                } catch (IOException gone) {
                    continue;
                }
                boolean reused = owner.flatMap(h -> h.info().startInstant()).map(start -> start.isAfter(written)).orElse(false);
                if (owner.isEmpty() || reused) Files.deleteIfExists(p);
            }
        }
    }

    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path tmp = tempFile(target, ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes a secret to a new 0600 file. Refuses to replace an existing file unless {@code overwrite};
     * the caller turns that refusal into the user-facing "use --force" message.
     */
    public static void writeSecret(Path target, byte[] bytes, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(target)) throw new FileAlreadyExistsException(target.toString(), null, "secret exists; not overwriting");
        Path tmp = tempFile(target, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, bytes);
            if (overwrite) move(tmp, target);
            else {
                // link-then-unlink never replaces a file that appeared meanwhile
                Files.createLink(target, tmp);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
