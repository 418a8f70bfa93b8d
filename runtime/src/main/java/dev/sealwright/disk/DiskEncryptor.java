package dev.sealwright.disk;

import dev.sealwright.base.DaemonThreads;
import dev.sealwright.disk.format.DiskFormat;
import dev.sealwright.disk.format.RawDisk;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.disk.inplace.InPlaceEncryptor;
import dev.sealwright.disk.layout.EncryptPlan;
import dev.sealwright.disk.luks2.AesXts;
import dev.sealwright.disk.luks2.ByteRegion;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.disk.luks2.Luks2FormatOptions;
import dev.sealwright.disk.luks2.Luks2Volume;
import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.BadValueException;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Progress;
import dev.sealwright.tools.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * encrypt-cloud-image's "encrypt" without device-mapper or root: copies a GPT disk image and
 * turns one partition (the rootfs by default) into a LUKS2 volume whose data segment holds the
 * partition's original bytes, encrypted while copying. The partition grows by the LUKS2 data
 * offset, into free space behind it or by growing the disk when it is the last partition; the
 * GPT (both copies) is rewritten; a fixed VHD stays a fixed VHD (new footer). The input is never
 * modified; the output appears atomically.
 */
public final class DiskEncryptor {
    private static final int CHUNK = 8 << 20;
    /** Bytes read, encrypted and written at once within a chunk: about 16% less CPU than whole 8 MiB chunks (A/B on one thread over 256 MiB, 7 Dec 2026: 0.169 vs 0.202 s). */
    private static final int PIECE = 1 << 20;

    public record Result(GptPartition before, GptPartition after, long diskBytes, String luksUuid) {}

    /**
     * One encryption, as {@code disk encrypt} and the {@code disk.encrypt} step ask for it; the defaults are
     * encrypt-cloud-image's and live only here. {@code output} null: in place ({@code disk encrypt --in-place}).
     * {@code entropy} null: secure randomness (salts and volume key differ each run).
     */
    public record Request(Path image, Path output, String partition, String label, int sectorSize, byte[] passphrase, Entropy entropy) {
        public static final String DEFAULT_PARTITION = "rootfs";
        public static final String DEFAULT_LABEL = "cloudimg-rootfs-enc";
        public static final int DEFAULT_SECTOR_SIZE = 512;

        public Request {
            partition = partition == null ? DEFAULT_PARTITION : partition;
            label = label == null ? DEFAULT_LABEL : label;
            sectorSize = sectorSize == 0 ? DEFAULT_SECTOR_SIZE : sectorSize;
            entropy = entropy == null ? Entropy.secure() : entropy;
        }

        /** The LUKS2 parameters: encrypt-cloud-image's, with this label and sector size (a bad one names its field: --sector-size). */
        public Luks2FormatOptions formatOptions() {
            try {
                return Luks2FormatOptions.encryptCloudImage().label(label).sectorSize(sectorSize);
            } catch (IllegalArgumentException e) {
                throw new BadValueException("sectorSize", e.getMessage());
            }
        }
    }

    private DiskEncryptor() {}

    /**
     * Encrypts the request's image into its output, reporting the partition bytes encrypted so far to {@code progress}.
     * A raw or fixed-VHD image is encrypted directly; a dynamic VHD or a qcow2 (run through {@code qemu-img}
     * with {@code tools}) is converted to a raw temp file beside the output first and the result written
     * back in the same format ({@link RawDisk}).
     */
    public static Result encrypt(Request request, Progress progress, Tools tools) throws IOException {
        if (request.output() == null) throw new IllegalArgumentException("an in-place request goes to InPlaceEncryptor");
        return encrypt(request.image(), request.output(), request.partition(), request.passphrase(), request.formatOptions(), request.entropy(), progress, tools);
    }

    private static Result encrypt(Path in, Path out, String partition, byte[] passphrase, Luks2FormatOptions options, Entropy entropy,
                                  Progress progress, Tools tools) throws IOException {
        if (Files.exists(out) && Files.isSameFile(in, out)) throw new RecipeException(out + ": the output is the input; use --in-place to encrypt the image itself");
        Path journal = InPlaceEncryptor.journalOf(in);
        if (Files.exists(journal)) throw new RecipeException(in + ": an in-place encryption was interrupted (" + journal.getFileName()
                + "); finish it with --in-place or undo it with --in-place --rollback");
        DiskFormat format = DiskFormat.detect(in);
        if (!format.readInPlace()) return encryptConverted(in, format, out, partition, passphrase, options, entropy, progress, tools);
        return encryptDirect(in, in.toString(), out, partition, passphrase, options, entropy, progress);
    }

    /** Encrypts the raw or fixed-VHD disk {@code in}, named {@code name} in messages. */
    private static Result encryptDirect(Path in, String name, Path out, String partition, byte[] passphrase, Luks2FormatOptions options, Entropy entropy,
                                        Progress progress) throws IOException {
        Path tmp = AtomicFiles.tempFile(out, ".tmp");
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ)) {
            EncryptPlan plan = EncryptPlan.of(src, name, partition, options);
            VhdFooter vhd = plan.vhd();
            GptDisk gpt = plan.gpt(), layout = plan.layout();
            GptPartition part = plan.part(), grown = plan.grown();
            long outSize = plan.outSize();
            long partStart = plan.partStart(), partBytes = plan.partBytes();

            byte[] volumeKey = options.volumeKey() != null ? options.volumeKey() : entropy.bytes(options.keyBits() / 8);
            options.volumeKey(volumeKey);
            String uuid;
            try (FileChannel dst = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                copy(src, dst, 0, partStart);
                long after = partStart + partBytes;
                long backupStart = (gpt.diskLbas() - 33) * GptDisk.LBA; // the old backup entries + header are rewritten
                if (after < backupStart) copy(src, dst, after, backupStart - after); // partitions behind it keep their place
                if (dst.size() < outSize) dst.write(ByteBuffer.allocate(1), outSize - 1);
                ByteRegion region = new ByteRegion(dst, partStart, grown.sizeLbas() * GptDisk.LBA);
                try (Luks2Volume v = Luks2Volume.format(region, out + " partition " + part.number(), options, passphrase, entropy)) {
                    encryptChunks(src, partStart, partBytes, v, volumeKey, progress);
                    uuid = v.header().uuid();
                }
                layout.write(dst);
                if (vhd != null) { // a fixed VHD stays a fixed VHD: same timestamp, new size, new identity
                    byte[] footer = VhdFooter.fixed(outSize, vhd.timestamp(), EncryptPlan.uuidFrom(entropy.bytes(16))).encode();
                    dst.write(ByteBuffer.wrap(footer), outSize);
                }
                dst.force(true);
            }
            AtomicFiles.move(tmp, out);
            return new Result(part, grown, outSize, uuid);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) throw new RecipeException(out + ": no space left on device; no output written", e);
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A dynamic VHD stays a dynamic VHD (same timestamp, new identity), a qcow2 a qcow2: the disk is
     * expanded into a sparse raw file beside the output, encrypted as a raw image, and written back,
     * atomically. It needs room for two raw copies.
     */
    private static Result encryptConverted(Path in, DiskFormat format, Path out, String partition, byte[] passphrase, Luks2FormatOptions options,
                                           Entropy entropy, Progress progress, Tools tools) throws IOException {
        Path rawOut = AtomicFiles.tempFile(out, ".out.raw");
        try (RawDisk rawIn = RawDisk.convert(in, format, out, tools)) {
            Result r = encryptDirect(rawIn.path(), in.toString(), rawOut, partition, passphrase, options, entropy, progress);
            RawDisk.write(rawOut, format, out, rawIn.vhdTimestamp(), EncryptPlan.uuidFrom(entropy.bytes(16)), tools);
            return r;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) throw new RecipeException(out + ": no space left on device; no output written", e);
            throw e;
        } finally {
            Files.deleteIfExists(rawOut);
        }
    }

    /** Reads, encrypts and writes the partition in chunks, one worker per core (positional I/O is thread-safe). */
    private static void encryptChunks(FileChannel src, long partStart, long partBytes, Luks2Volume v, byte[] volumeKey, Progress progress) throws IOException {
        AtomicLong done = new AtomicLong();
        int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        long chunks = (partBytes + CHUNK - 1) / CHUNK;
        ExecutorService pool = Executors.newFixedThreadPool(workers, DaemonThreads.named("disk-encrypt"));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int first = w;
                jobs.add(pool.submit(() -> {
                    byte[] buf = new byte[PIECE];
                    AesXts xts = new AesXts(volumeKey);
                    for (long c = first; c < chunks; c += workers) {
                        long chunkOff = c * CHUNK;
                        int chunkLen = (int) Math.min(CHUNK, partBytes - chunkOff);
                        // read, encrypt and write a piece at a time: each piece stays in the core's cache
                        // through the JDK's copy from its direct buffer, the XTS passes and the copy back
                        for (int p = 0; p < chunkLen; p += PIECE) {
                            long off = chunkOff + p;
                            int n = Math.min(PIECE, chunkLen - p);
                            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                            while (bb.hasRemaining()) if (src.read(bb, partStart + off + bb.position()) < 0) throw new IOException("short read");
                            v.encryptAndWrite(xts, off, buf, 0, n);
                        }
                        progress.update(done.addAndGet(chunkLen), partBytes);
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void copy(FileChannel src, FileChannel dst, long pos, long len) throws IOException {
        for (long done = 0; done < len; ) {
            long n = src.transferTo(pos + done, len - done, dst.position(pos + done));
            if (n <= 0) throw new IOException("short copy at " + (pos + done));
            done += n;
        }
    }
}
