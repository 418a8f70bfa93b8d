package dev.sealwright.image.cpio;

import dev.sealwright.base.Progress;
import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.image.oci.FsTree;
import dev.sealwright.image.oci.FsTree.Node;
import dev.sealwright.image.oci.FsTree.Type;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The "newc" (SVR4, magic 070701) cpio format the Linux kernel unpacks as an initramfs.
 * Writing is reproducible: entries in {@link FsTree} order (sorted, parents first), every mtime =
 * SOURCE_DATE_EPOCH, inode numbers 1..n in that order, device numbers 0, owners as given by the
 * tree (image layers' numeric ids; 0:0 for plain directories). Hard-linked files are written as
 * independent copies. gzip output carries no name and no timestamp (as {@code gzip -n}); zstd output
 * is one frame, as {@code zstd -T0} writes it.
 */
public final class NewcCpio {
    private NewcCpio() {}

    public static void write(FsTree tree, long sourceDateEpoch, OutputStream out) throws IOException {
        write(tree, sourceDateEpoch, out, Progress.NONE);
    }

    /** {@link #write(FsTree, long, OutputStream)}, reporting file content bytes archived of their total to {@code progress}. */
    public static void write(FsTree tree, long sourceDateEpoch, OutputStream out, Progress progress) throws IOException {
        long total = tree.entries().values().stream().filter(n -> n.type() == Type.FILE).mapToLong(Node::size).sum();
        long archived = 0;
        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(new BufferedOutputStream(nonClosing(out), 1 << 16),
                CpioConstants.FORMAT_NEW, CpioConstants.BLOCK_SIZE, StandardCharsets.UTF_8.name());
        long ino = 1;
        byte[] buf = new byte[1 << 16];
        for (Map.Entry<String, Node> e : tree.entries().entrySet()) {
            Node n = e.getValue();
            CpioArchiveEntry c = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, e.getKey());
            c.setMode(typeBits(n.type()) | (n.mode() & 07777));
            c.setUID(n.uid());
            c.setGID(n.gid());
            c.setTime(sourceDateEpoch);
            c.setInode(ino++);
            c.setDeviceMaj(0);
            c.setDeviceMin(0);
            c.setNumberOfLinks(n.type() == Type.DIRECTORY ? 2 : 1);
            if (n.type() == Type.CHAR_DEVICE || n.type() == Type.BLOCK_DEVICE) {
                c.setRemoteDeviceMaj(n.devMajor());
                c.setRemoteDeviceMin(n.devMinor());
            }
            byte[] link = n.type() == Type.SYMLINK ? n.linkTarget().getBytes(StandardCharsets.UTF_8) : null;
            c.setSize(link != null ? link.length : n.type() == Type.FILE ? n.size() : 0);
            cpio.putArchiveEntry(c);
            if (link != null) cpio.write(link);
            else if (n.type() == Type.FILE) {
                long copied = 0;
                try (InputStream in = Files.newInputStream(n.content())) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        cpio.write(buf, 0, r);
                        copied += r;
                        progress.update(archived += r, total);
                    }
                }
                if (copied != n.size()) throw new IOException(n.content() + " changed size while packing " + e.getKey());
            }
            cpio.closeArchiveEntry();
        }
        cpio.finish();
        cpio.close();
        if (archived == total) progress.update(total, total);   // also when there is no file content at all
    }

    /** How the archive is compressed; both are decompressed by Debian's kernels (CONFIG_RD_GZIP, CONFIG_RD_ZSTD). */
    public enum Compression {
        GZIP(1, 9), ZSTD(1, 19);

        public final int minLevel, maxLevel;

        Compression(int minLevel, int maxLevel) {
            this.minLevel = minLevel;
            this.maxLevel = maxLevel;
        }

        /** "gzip" or "zstd"; null when unknown. */
        public static Compression named(String name) {
            return switch (name) {
                case "gzip" -> GZIP;
                case "zstd" -> ZSTD;
                default -> null;
            };
        }
    }

    /**
     * {@link #write} through gzip at the given level (1-9), header without name and with mtime 0,
     * deflated on all cores ({@link ParallelGzipOutputStream}); the bytes do not depend on the core count.
     */
    public static void writeGzip(FsTree tree, long sourceDateEpoch, int level, OutputStream out, Progress progress) throws IOException {
        writeCompressed(tree, sourceDateEpoch, Compression.GZIP, level, Runtime.getRuntime().availableProcessors(), out, progress);
    }

    /**
     * {@link #write} compressed on {@code threads} threads; the bytes do not depend on the thread count.
     * gzip: {@link ParallelGzipOutputStream}. zstd (levels 1-19; windows of at most 8 MiB, which the kernel's
     * early decompressor handles): one frame with a content checksum, as {@code zstd} writes by default,
     * compressed by libzstd's multi-threaded mode with at least one worker, whose output depends only on
     * the level and the input (never the single-threaded mode, whose frames differ).
     */
    public static void writeCompressed(FsTree tree, long sourceDateEpoch, Compression c, int level, int threads, OutputStream out,
                                       Progress progress) throws IOException {
        if (level < c.minLevel || level > c.maxLevel)
            throw new IllegalArgumentException(c + " level must be " + c.minLevel + "-" + c.maxLevel + ", got " + level);
        if (c == Compression.GZIP) {
            try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(nonClosing(out), level, threads)) {
                write(tree, sourceDateEpoch, gz, progress);
            }
            return;
        }
        try (ZstdOutputStream zs = new ZstdOutputStream(nonClosing(out), level)) {
            zs.setChecksum(true);
            zs.setWorkers(Math.max(1, threads));
            // flush() would end a block wherever a caller flushes: only close() ends the frame
            write(tree, sourceDateEpoch, new java.io.FilterOutputStream(zs) {
                @Override public void write(byte[] b, int off, int len) throws IOException { zs.write(b, off, len); }
                @Override public void flush() { }
                @Override public void close() { }
            }, progress);
        }
    }

    /** Reads a newc archive (gzip- or zstd-compressed, or plain) into a tree; file contents are spilled into {@code blobDir}. */
    public static FsTree read(InputStream raw, Path blobDir, String what) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(4);
        int b0 = in.read(), b1 = in.read(), b2 = in.read(), b3 = in.read();
        in.reset();
        InputStream plain = b0 == 0x1f && b1 == 0x8b ? new GzipCompressorInputStream(in, true)
                : b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd ? new ZstdInputStream(in) : in;
        Files.createDirectories(blobDir);
        FsTree tree = new FsTree();
        long n = 0;
        try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(plain, CpioConstants.BLOCK_SIZE, StandardCharsets.UTF_8.name())) {
            CpioArchiveEntry e;
            while ((e = cpio.getNextEntry()) != null) {
                if (e.getFormat() != CpioConstants.FORMAT_NEW && e.getFormat() != CpioConstants.FORMAT_NEW_CRC)
                    throw new RecipeException(what + ": entry '" + e.getName() + "' is not newc format");
                String name = e.getName();
                while (name.startsWith("./")) name = name.substring(2);
                if (name.isEmpty() || name.equals(".")) continue;
                int perm = (int) (e.getMode() & 07777);
                Node node;
                if (e.isDirectory()) node = Node.directory(perm);
                else if (e.isSymbolicLink()) node = Node.symlink(new String(cpio.readAllBytes(), StandardCharsets.UTF_8));
                else if (e.isRegularFile()) {
                    Path blob = blobDir.resolve(Long.toString(n++));
                    Files.copy(cpio, blob);
                    node = Node.file(perm, Files.size(blob), blob);
                } else {
                    Type t = e.isCharacterDevice() ? Type.CHAR_DEVICE : e.isBlockDevice() ? Type.BLOCK_DEVICE : Type.FIFO;
                    node = new Node(t, perm, 0, 0, 0, null, null, (int) e.getRemoteDeviceMaj(), (int) e.getRemoteDeviceMin());
                }
                tree.put(name, node.withOwner((int) e.getUID(), (int) e.getGID()));
            }
        } catch (IllegalArgumentException e) { // commons-compress on a malformed header field (mode, number)
            throw new RecipeException(what + ": malformed cpio archive: " + e.getMessage(), e);
        } catch (IOException e) { // its messages quote header bytes, newlines included
            throw new IOException(what + ": " + OneLine.of(e.getMessage()), e);
        }
        return tree;
    }

    private static int typeBits(Type t) {
        return switch (t) {
            case DIRECTORY -> CpioConstants.C_ISDIR;
            case FILE -> CpioConstants.C_ISREG;
            case SYMLINK -> CpioConstants.C_ISLNK;
            case CHAR_DEVICE -> CpioConstants.C_ISCHR;
            case BLOCK_DEVICE -> CpioConstants.C_ISBLK;
            case FIFO -> CpioConstants.C_ISFIFO;
        };
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void close() throws IOException { flush(); }
        };
    }
}
