package dev.sealwright.base;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * The one way input files are read. Every input is checked with {@code stat} before it is opened: a
 * FIFO, socket, character device (/dev/zero; /dev/null is read as an empty file) or directory is
 * refused by name and never opened, so no read can block on {@code open} or run without end; a whole-file read is bounded by its format's
 * {@link Bound}, declared next to the format's codec. Problems are one {@link RecipeException} line
 * naming the file and what it is: "FILE: is a FIFO", "FILE: is 2 GiB; a DCAP quote is at most 64 KiB".
 */
public final class InputFiles {
    private InputFiles() {}

    /** A file format's size bound, e.g. {@code new Bound("a DCAP quote", 64 << 10)}. */
    public record Bound(String format, long maxBytes) {
        public Bound {
            if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("bound out of range: " + maxBytes);
        }
    }

    /** What a path is, from its {@code stat} mode (following symbolic links). */
    public enum Kind {
        REGULAR("a regular file"), DIRECTORY("a directory"), FIFO("a FIFO"), SOCKET("a socket"),
        CHARACTER_DEVICE("a character device"), BLOCK_DEVICE("a block device"), OTHER("not a regular file");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** {@code file}'s bytes, at most {@code bound.maxBytes()}; refused unless it is a regular file. */
    public static byte[] read(Path file, Bound bound) {
        long size = requireRegular(file, bound);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // the size seen by stat is a hint: a file may grow, and /proc-like files report 0. The array
            // has the stat size, so the common case returns it without a copy; reads of at most 1 MiB
            // keep the JDK's temporary direct buffer small and its copy into the array in cache.
            long limit = bound.maxBytes() + 1;
            byte[] buf = new byte[(int) Math.min(limit, Math.max(size, 0))];
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    if (buf.length >= limit) throw tooBig(file, buf.length, bound, true);
                    ByteBuffer one = ByteBuffer.allocate(1);   // at the stat size: the end, or a file that grew
                    if (ch.read(one) < 0) break;
                    buf = Arrays.copyOf(buf, (int) Math.min(limit, Math.max(4096L, (long) buf.length * 2)));
                    buf[n++] = one.get(0);
                    continue;
                }
                int r = ch.read(ByteBuffer.wrap(buf, n, Math.min(buf.length - n, 1 << 20)));
                if (r < 0) break;
                n += r;
            }
            if (n > bound.maxBytes()) throw tooBig(file, n, bound, true);
            return n == buf.length ? buf : Arrays.copyOf(buf, n);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException(file + ": reading was interrupted", e);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * {@code file}'s bytes as a read-only mapping (checked as {@link #read} checks, /dev/null an empty buffer): for large
     * inputs that are only hashed or read in parts, with no copy into the heap. Read it with absolute indices or
     * slices, so threads may share it. A file truncated while mapped makes a read of the lost pages throw
     * {@link InternalError}, but in JIT-compiled code the JVM (17) throws it later, at the thread's next call into the
     * VM, which may be past any catch around the read: after reading, {@link #requireIntact} tells it for sure, and
     * {@link #changedWhileMapped} turns the error into one line where it is caught.
     */
    public static ByteBuffer map(Path file, Bound bound) {
        long size = requireRegular(file, bound);
        if (size == 0) return ByteBuffer.wrap(read(file, bound));   // /dev/null, or an empty file (a mapping of 0 bytes is refused on some systems)
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long now = ch.size();
            if (now > bound.maxBytes()) throw tooBig(file, now, bound, false);
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, now);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException(file + ": reading was interrupted", e);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * Refuses, in one line, a {@link #map}ping whose file is now shorter than the mapping: what was read of the lost
     * pages is not the file (the JVM reads them as garbage in compiled code and throws later). A heap buffer passes.
     */
    public static void requireIntact(Path file, ByteBuffer mapping) {
        if (!(mapping instanceof java.nio.MappedByteBuffer)) return;
        long now;
        try {
            now = Files.size(file);
        } catch (IOException e) {
            throw new RecipeException(file + ": the file went away while it was read", e);
        }
        if (now < mapping.capacity()) throw new RecipeException(file + ": the file was truncated while it was read");
    }

    /** Whether {@code e} is the JVM's error for a read of a mapped page that is gone (its file was truncated). */
    public static boolean isMappedReadFault(InternalError e) {
        return e.getMessage() != null && e.getMessage().contains("unsafe memory access operation");
    }

    /** The one line for a read of a {@link #map}ping that failed because the file was cut meanwhile. */
    public static RecipeException changedWhileMapped(String file, InternalError e) {
        return new RecipeException(file + ": the file was truncated while it was read", e);
    }

    /** {@link #read} as UTF-8 text. */
    public static String readText(Path file, Bound bound) {
        return new String(read(file, bound), StandardCharsets.UTF_8);
    }

    /** The decompressed content of a gzip file, at most {@code bound.maxBytes()} (a gzip bomb stops there). */
    public static byte[] readGzip(Path file, Bound bound) {
        requireKind(file, bound.format(), false);
        try (InputStream in = new java.util.zip.GZIPInputStream(Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ)))) {
            byte[] b = in.readNBytes((int) bound.maxBytes() + 1);
            if (b.length > bound.maxBytes()) throw tooBig(file, b.length, bound, true);
            return b;
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new RecipeException(file + ": not a valid gzip file: " + (e.getMessage() == null ? "truncated" : e.getMessage()), e);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The digest ("SHA-256", "SHA-512") of a regular file of any size, streamed. */
    public static byte[] digest(Path file, String algorithm) {
        try (InputStream in = open(file, "file")) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance(algorithm);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException(file + ": reading was interrupted", e);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * A stream of a regular file of any size (a compressed or streamed input); whoever reads it bounds
     * what it keeps.
     */
    public static InputStream open(Path file, String what) {
        requireKind(file, what, false);
        try {
            return Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** Refuses anything but a regular file; returns its size. "what" names it in messages ("firmware file"). */
    public static long requireFile(Path file, String what) {
        return requireKind(file, what, false);
    }

    /** A disk image: a regular file or a block device; returns its {@code stat} size (0 for a block device). */
    public static long requireImage(Path file, String what) {
        return requireKind(file, what, true);
    }

    /** A directory input, e.g. a certificate tree. */
    public static void requireDirectory(Path dir, String what) {
        Kind k = kind(dir, what);
        if (k != Kind.DIRECTORY) throw new RecipeException(dir + ": is " + k.label() + ", not a directory (" + what + ")");
    }

    /** What {@code file} is; a missing file (or missing parent directory) is a one-line error. */
    public static Kind kind(Path file, String what) {
        try {
            Object mode = Files.getAttribute(file, "unix:mode");
            return kindOf((Integer) mode);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return a.isRegularFile() ? Kind.REGULAR : a.isDirectory() ? Kind.DIRECTORY : Kind.OTHER;
            } catch (IOException io) {
                throw cannotRead(file, what, io);
            }
        } catch (IOException e) {
            throw cannotRead(file, what, e);
        }
    }

    /** "2 GiB", "10.5 MiB", "17 bytes". */
    public static String size(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format("%.1f", v)) + " " + units[u];
    }

    private static long requireRegular(Path file, Bound bound) {
        long size = requireKind(file, bound.format(), false);
        if (size > bound.maxBytes()) throw tooBig(file, size, bound, false);
        return size;
    }

    private static long requireKind(Path file, String what, boolean blockDevice) {
        Kind k = kind(file, what);
        if (k == Kind.CHARACTER_DEVICE && isDevNull(file)) return 0;   // empty, never blocks ("--kernel /dev/null")
        if (k == Kind.REGULAR || (blockDevice && k == Kind.BLOCK_DEVICE)) {
            try {
                return Files.size(file);
            } catch (IOException e) {
                throw cannotRead(file, what, e);
            }
        }
        String expected = blockDevice ? "a regular file or a block device" : "a regular file";
        throw new RecipeException(file + ": is " + k.label() + ", not " + expected + ("file".equals(what) ? "" : " (" + what + ")"));
    }

    /** The null device (major 1, minor 3 on Linux). */
    private static boolean isDevNull(Path file) {
        try {
            return Long.valueOf(0x103).equals(Files.getAttribute(file, "unix:rdev"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Kind kindOf(int mode) {
        return switch (mode & 0170000) {
            case 0100000 -> Kind.REGULAR;
            case 0040000 -> Kind.DIRECTORY;
            case 0010000 -> Kind.FIFO;
            case 0140000 -> Kind.SOCKET;
            case 0020000 -> Kind.CHARACTER_DEVICE;
            case 0060000 -> Kind.BLOCK_DEVICE;
            default -> Kind.OTHER;
        };
    }

    private static RecipeException tooBig(Path file, long size, Bound bound, boolean atLeast) {
        return new RecipeException(file + ": is " + (atLeast ? "more than " + size(bound.maxBytes()) : size(size)) + "; "
                + bound.format() + " is at most " + size(bound.maxBytes()));
    }

    private static RecipeException cannotRead(Path file, IOException e) {
        return cannotRead(file, "file", e);
    }

    private static RecipeException cannotRead(Path file, String what, IOException e) {
        String suffix = "file".equals(what) ? "" : " (" + what + ")";
        if (e instanceof NoSuchFileException) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) return new RecipeException(file + ": no such file: the directory " + parent + " does not exist" + suffix, e);
            return new RecipeException(file + ": no such file" + suffix, e);
        }
        if (e instanceof AccessDeniedException) return new RecipeException(file + ": permission denied" + suffix, e);
        // FileSystemException's message repeats the path; its reason alone is e.g. "Not a directory"
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new RecipeException(file + ": cannot read" + suffix + ": " + reason, e);
    }
}
