package dev.sealwright.disk.verity;

import dev.sealwright.base.DaemonThreads;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Progress;
import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A dm-verity hash tree as veritysetup lays it out (format version 1, superblock first): hash
 * blocks of {@code hashBlockSize} hold 2^k digests each, every digest padded to a power of two;
 * levels are stored root-most first after the superblock; each block's hash is H(salt ‖ block)
 * (hash type 1) or H(block ‖ salt) (type 0). The data is read sequentially (mapped, not copied) and
 * every level is hashed on all cores.
 */
public final class VerityTree {
    private final VeritySuperblock params;
    private final int digestSize;
    private final int digestSlot;
    private final int hashesPerBlock;
    private final long[] levelBlocks;   // size of level i in hash blocks (0 = leaves)
    private final long[] levelStart;    // first hash block of level i, counted from the hash device start

    public VerityTree(VeritySuperblock params) {
        this.params = params;
        this.digestSize = digest(params.algorithm()).getDigestLength();
        this.digestSlot = Integer.highestOneBit(digestSize) == digestSize ? digestSize : Integer.highestOneBit(digestSize) << 1;
        int bits = 31 - Integer.numberOfLeadingZeros(params.hashBlockSize() / digestSize);
        this.hashesPerBlock = 1 << bits;
        int levels = 0;
        while (bits * levels < 64 && ((params.dataBlocks() - 1) >>> (bits * levels)) != 0) levels++;
        levelBlocks = new long[levels];
        levelStart = new long[levels];
        long pos = 1; // the superblock takes the first hash block
        for (int i = levels - 1; i >= 0; i--) {
            levelStart[i] = pos;
            int shift = (i + 1) * bits;
            levelBlocks[i] = shift >= 63 ? 1 : (params.dataBlocks() + (1L << shift) - 1) >>> shift;
            pos += levelBlocks[i];
        }
    }

    public VeritySuperblock params() { return params; }

    /** Bytes the hash device needs: superblock block + all levels. */
    public long hashDeviceSize() {
        long blocks = 1;
        for (long b : levelBlocks) blocks += b;
        return blocks * params.hashBlockSize();
    }

    public record Result(byte[] rootHash, byte[][] levels) {}

    /** Computes the whole tree and the root hash from the data file, reporting data bytes hashed to {@code progress}. */
    public Result compute(Path data, Progress progress) throws IOException {
        try (FileChannel in = FileChannel.open(data, StandardOpenOption.READ)) {
            if (in.size() / params.dataBlockSize() < params.dataBlocks())
                throw new RecipeException(data + ": has " + in.size() / params.dataBlockSize() + " blocks of " + params.dataBlockSize() + " bytes, the tree covers " + params.dataBlocks());
            byte[][] levels = new byte[levelBlocks.length][];
            if (levels.length == 0) {
                byte[] block = read(in, 0, params.dataBlockSize());
                progress.update(block.length, block.length);
                return new Result(hash(block, 0, block.length), levels);
            }
            levels[0] = hashLeaves(in, progress);
            // the leaves were read through mappings: a file cut meanwhile may have been read as garbage with no error yet
            if (in.size() / params.dataBlockSize() < params.dataBlocks()) throw new IOException("the data file changed size while it was hashed");
            for (int i = 1; i < levels.length; i++) levels[i] = hashLevel(levels[i - 1], levelBlocks[i]);
            byte[] top = levels[levels.length - 1];
            return new Result(hash(top, 0, params.hashBlockSize()), levels);
        }
    }

    /** Writes superblock + tree into {@code hashFile} (created or truncated) and returns the root hash; data bytes hashed go to {@code progress}. */
    public byte[] format(Path data, Path hashFile, Progress progress) throws IOException {
        if (Files.exists(hashFile) && Files.isSameFile(data, hashFile)) throw new RecipeException(hashFile + ": the hash file must not be the data file");
        Result r = compute(data, progress);
        Path tmp = AtomicFiles.tempFile(hashFile, ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                byte[] first = new byte[params.hashBlockSize()];
                System.arraycopy(params.encode(), 0, first, 0, VeritySuperblock.SIZE);
                write(out, 0, first);
                for (int i = 0; i < r.levels().length; i++) write(out, levelStart[i] * params.hashBlockSize(), r.levels()[i]);
                out.force(true);
            }
            AtomicFiles.move(tmp, hashFile);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return r.rootHash();
    }

    /** Bytes of one digest of the tree's algorithm (the root hash's length). */
    public int digestSize() {
        return digestSize;
    }

    /** Checks the stored tree in {@code hashFile} and {@code rootHash} against the data; returns null or the first problem. */
    public String verify(Path data, Path hashFile, byte[] rootHash) throws IOException {
        Result r = compute(data, Progress.NONE);
        try (FileChannel in = FileChannel.open(hashFile, StandardOpenOption.READ)) {
            if (in.size() < hashDeviceSize()) return hashFile + ": hash device is " + in.size() + " bytes, the tree needs " + hashDeviceSize();
            for (int i = 0; i < r.levels().length; i++) {
                byte[] stored = read(in, levelStart[i] * params.hashBlockSize(), r.levels()[i].length);
                int mismatch = Arrays.mismatch(stored, r.levels()[i]);
                if (mismatch >= 0) {
                    long entry = (long) mismatch / params.hashBlockSize() * hashesPerBlock + mismatch % params.hashBlockSize() / digestSlot;
                    return i == 0 ? data + ": data block " + entry + " does not match its hash in " + hashFile
                            : hashFile + ": hash level " + i + " entry " + entry + " does not match the level below";
                }
            }
        }
        if (!MessageDigest.isEqual(r.rootHash(), rootHash)) return data + " and " + hashFile + " give root hash " + java.util.HexFormat.of().formatHex(r.rootHash()) + ", not the one given";
        return null;
    }

    /**
     * The leaf level, hashed straight from the page cache: the data file is mapped in windows of up to
     * 1 GiB (no read into a buffer). One worker per core takes the next 256 KiB chunk in file order and
     * copies each block into a 4 KiB array of its own, which stays in the L1 cache, before hashing it:
     * the JDK's SHA intrinsics work on heap arrays, and a direct buffer given to the digest is copied
     * through a temporary array anyway. Pages come in by the kernel's fault-around and mmap read-around;
     * {@link MappedByteBuffer#load} is not called: measured here (2 cores, 512 MiB), it cost 5-8 % CPU
     * on a cached file and made a cold one slower (650-690 against 910-1040 MB/s). Each digest is
     * written straight into the level.
     */
    private byte[] hashLeaves(FileChannel in, Progress progress) throws IOException {
        long blocks = params.dataBlocks();
        int bs = params.dataBlockSize();
        byte[] level = new byte[Math.toIntExact(levelBlocks[0] * params.hashBlockSize())];
        int threads = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), blocks / 256));
        int chunkBlocks = Math.max(1, (256 << 10) / bs);
        long chunks = (blocks + chunkBlocks - 1) / chunkBlocks;
        long windowBlocks = Math.max(1, (1L << 30) / bs / chunkBlocks) * chunkBlocks;   // whole chunks per window
        MappedByteBuffer[] windows = new MappedByteBuffer[Math.toIntExact((blocks + windowBlocks - 1) / windowBlocks)];
        for (int w = 0; w < windows.length; w++) {
            long first = w * windowBlocks;
            windows[w] = in.map(FileChannel.MapMode.READ_ONLY, first * bs, Math.min(windowBlocks, blocks - first) * bs);
        }
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, DaemonThreads.named("verity-hash"));
        AtomicLong hashed = new AtomicLong();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) workers.add(pool.submit(() -> {
                MessageDigest md = digest(params.algorithm());
                byte[] block = new byte[bs];
                for (long c; (c = next.getAndIncrement()) < chunks; ) {
                    long first = c * chunkBlocks;
                    int n = (int) Math.min(chunkBlocks, blocks - first);
                    int w = (int) (first / windowBlocks);
                    MappedByteBuffer chunk = windows[w].slice((int) ((first - w * windowBlocks) * bs), n * bs);
                    for (int k = 0; k < n; k++) {
                        chunk.get(k * bs, block);
                        hashInto(md, block, 0, bs, level, first + k);
                    }
                    progress.update(hashed.addAndGet((long) n * bs), blocks * bs);
                }
                return null;
            }));
            for (Future<?> f : workers) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof InternalError) throw new IOException("the data file changed size while it was hashed", e.getCause());  // SIGBUS on a mapped page
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return level;
    }

    /** A level above the leaves: the blocks of the level below, hashed in ranges on all cores. */
    private byte[] hashLevel(byte[] below, long blocks) {
        int hbs = params.hashBlockSize();
        byte[] level = new byte[Math.toIntExact(blocks * hbs)];
        int n = below.length / hbs;
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n / 256));
        int per = (n + threads - 1) / threads;
        java.util.stream.IntStream.range(0, threads).parallel().forEach(t -> {
            MessageDigest md = digest(params.algorithm());
            for (int idx = t * per, end = Math.min(n, idx + per); idx < end; idx++) hashInto(md, below, idx * hbs, hbs, level, idx);
        });
        return level;
    }

    /** Writes the hash of {@code len} bytes at {@code off} into {@code level} as entry {@code idx}. */
    private void hashInto(MessageDigest md, byte[] buf, int off, int len, byte[] level, long idx) {
        if (params.hashType() == 1) md.update(params.salt());
        md.update(buf, off, len);
        if (params.hashType() == 0) md.update(params.salt());
        try {
            md.digest(level, Math.toIntExact(idx / hashesPerBlock * params.hashBlockSize() + idx % hashesPerBlock * digestSlot), digestSize);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] hash(byte[] buf, int off, int len) {
        return hash(digest(params.algorithm()), buf, off, len);
    }

    private byte[] hash(MessageDigest md, byte[] buf, int off, int len) {
        if (params.hashType() == 1) md.update(params.salt());
        md.update(buf, off, len);
        if (params.hashType() == 0) md.update(params.salt());
        return md.digest();
    }

    static MessageDigest digest(String alg) {
        String jdk = switch (alg) {
            case "sha1" -> "SHA-1";
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new RecipeException("verity hash \"" + alg + "\" is not supported (sha1, sha256, sha512)");
        };
        try {
            return MessageDigest.getInstance(jdk);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) if (ch.read(b, pos + b.position()) < 0) throw new IOException("short read at " + pos);
        return b.array();
    }

    private static void write(FileChannel ch, long pos, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b, pos + b.position());
    }
}
