package dev.sealwright.disk.inplace;

import dev.sealwright.disk.layout.EncryptPlan;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.inplace.EncryptJournal.Geometry;
import dev.sealwright.disk.inplace.EncryptJournal.Kind;
import dev.sealwright.disk.inplace.EncryptJournal.Section;
import dev.sealwright.disk.inplace.EncryptJournal.State;
import dev.sealwright.disk.luks2.AesXts;
import dev.sealwright.disk.luks2.ByteRegion;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.disk.luks2.Luks2FormatOptions;
import dev.sealwright.disk.luks2.Luks2Volume;
import dev.sealwright.disk.format.DiskFormat;
import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.base.Progress;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.DaemonThreads;
import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * {@code disk encrypt --in-place}: turns a partition of a disk image into LUKS2 in the image
 * itself, like {@code cryptsetup reencrypt --encrypt} in its data-shift mode. The partition's
 * bytes move up by the LUKS2 data offset D while they are encrypted, chunk by chunk from the
 * last one down (chunk size C ≤ D), so a chunk's ciphertext only ever lands on plaintext that
 * has already been moved: the source of the chunk in flight is intact whenever the process
 * dies, and redoing it is harmless. The LUKS2 header is written last, over the first chunk's
 * old place. Rolling back decrypts the moved chunks back down, lowest first, for the same reason.
 *
 * <p>Order of durable writes: the journal (staged header, the bytes the move overwrites, old and
 * new GPT) is complete and fsynced, and its directory too, before the image changes; each
 * progress record (with the CRC-32C of the chunk's source bytes) is fsynced before the chunk it names is written, and each chunk is fsynced
 * before the next record. The journal is deleted when the image is final.
 */
public final class InPlaceEncryptor {
    public static final String JOURNAL_SUFFIX = ".encrypt-journal";

    /** How a run ended; {@code resumed} when it continued an interrupted one. */
    public record Result(boolean rolledBack, boolean resumed, long partStart, long partBytes, long fileSize, String luksUuid) {}

    private InPlaceEncryptor() {}

    public static Path journalOf(Path image) {
        return image.resolveSibling(image.getFileName() + JOURNAL_SUFFIX);
    }

    /**
     * Encrypts (or resumes encrypting) {@code partition} of {@code image} in place; with
     * {@code rollback}, undoes an interrupted run instead, giving back the original bytes. Partition bytes
     * done (those of an earlier, interrupted run included) go to {@code progress}.
     */
    public static Result run(Path image, String partition, byte[] passphrase, Luks2FormatOptions options, Entropy entropy,
                             int chunkSize, boolean rollback, Progress progress) throws IOException {
        Path journalPath = journalOf(image);
        boolean resumed = Files.exists(journalPath);
        if (!resumed && rollback) throw new RecipeException(image + ": nothing to roll back (no journal " + journalPath.getFileName() + ")");
        EncryptJournal journal;
        try {
            journal = resumed ? EncryptJournal.read(journalPath) : prepare(image, journalPath, partition, passphrase, options, entropy, chunkSize);
        } catch (IOException e) {
            if (!noSpace(e)) throw e;
            throw new RecipeException(journalPath + ": no space left on device for the journal; " + image
                    + " is untouched: free space (about " + (options.dataOffset() >> 20) + " MiB more than the image) and rerun the same command", e);
        }
        Geometry g = journal.geometry();
        try (FileChannel img = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel jch = FileChannel.open(journalPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (img.size() != g.inFileSize() && img.size() != g.outFileSize())
                throw new RecipeException(journalPath + ": does not belong to " + image + " (the image is " + img.size() + " bytes, the journal expects "
                        + g.inFileSize() + " or " + g.outFileSize() + ")");
            Section header = journal.section(Kind.LUKS_HEADER);
            String uuid;
            byte[] volumeKey;
            try (Luks2Volume staged = Luks2Volume.open(new ByteRegion(jch, header.journalOffset(), g.shift() + g.partBytes()),
                    journalPath + " (staged LUKS2 header)", entropy)) {
                volumeKey = staged.unlock(passphrase).volumeKey();
                uuid = staged.header().uuid();
            }
            try (Run r = new Run(img, jch, journal, volumeKey, progress)) {
                if (rollback) r.rollback();
                else r.forward();
            } catch (IOException e) {
                // the journal holds everything needed to go on or back: say how, in one line
                throw new RecipeException(image + ": " + (noSpace(e) ? "no space left on device" : e.getMessage()) + "; nothing is lost, "
                        + journalPath.getFileName() + " holds the progress: " + (noSpace(e) ? "free space, then " : "")
                        + "rerun the same command to resume" + (rollback ? " the rollback" : " (or add --rollback to undo)"), e);
            }
            Files.delete(journalPath);
            syncDirectory(journalPath);
            return new Result(rollback, resumed, g.partStart(), g.partBytes(), img.size(), rollback ? null : uuid);
        }
    }

    private static boolean noSpace(IOException e) {
        return String.valueOf(e.getMessage()).contains("No space left");
    }

    /** Plans the move and writes the complete journal (temp file, fsync, rename, directory fsync); the image is not touched. */
    private static EncryptJournal prepare(Path image, Path journalPath, String partition, byte[] passphrase, Luks2FormatOptions options,
                                          Entropy entropy, int chunkSize) throws IOException {
        Path dir = journalPath.toAbsolutePath().getParent();
        Path tmp = AtomicFiles.tempFile(journalPath, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel img = FileChannel.open(image, StandardOpenOption.READ);
             FileChannel jch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            DiskFormat format = DiskFormat.detect(image);
            if (!format.readInPlace()) throw new RecipeException(image + ": not implemented in this build: --in-place on a " + format.description() + " (encrypt it with -o OUT)");
            EncryptPlan plan = EncryptPlan.of(img, image.toString(), partition, options);
            long shift = options.dataOffset();
            if (chunkSize <= 0 || chunkSize % options.sectorSize() != 0 || chunkSize > shift)
                throw new RecipeException("disk encrypt: --chunk-size " + chunkSize + " must be a multiple of the " + options.sectorSize()
                        + "-byte sector and at most the " + shift + "-byte data offset");
            Geometry g = new Geometry(plan.partStart(), plan.partBytes(), shift, chunkSize, options.sectorSize(), plan.inFileSize(), plan.outFileSize());
            long displacedAt = g.partStart() + g.partBytes();
            long oldHeadLen = plan.gpt().firstUsable() * GptDisk.LBA, oldTailAt = (plan.gpt().lastUsable() + 1) * GptDisk.LBA;
            long newTailAt = (plan.layout().lastUsable() + 1) * GptDisk.LBA;
            List<Section> sections = EncryptJournal.layout(new long[][] {
                    {g.partStart(), shift},
                    {displacedAt, Math.min(shift, g.inFileSize() - displacedAt)},
                    {0, oldHeadLen},
                    {oldTailAt, g.inFileSize() - oldTailAt},
                    {0, oldHeadLen},
                    {newTailAt, g.outFileSize() - newTailAt}});
            byte[][] table = null;
            for (Section s : sections) { // in Kind order: the entropy is drawn as in the copying mode (header first, then the VHD identity)
                switch (s.kind()) {
                    case LUKS_HEADER -> {
                        ByteRegion staged = new ByteRegion(jch, s.journalOffset(), shift + g.partBytes());
                        Luks2Volume.format(staged, journalPath + " (staged LUKS2 header)", options, passphrase, entropy).close();
                    }
                    case DISPLACED, OLD_HEAD, OLD_TAIL -> EncryptJournal.write(jch, s.journalOffset(), EncryptJournal.read(img, s.imageOffset(), Math.toIntExact(s.length())));
                    case NEW_HEAD -> {
                        table = newTable(dir, img, plan, oldHeadLen, newTailAt, entropy);
                        EncryptJournal.write(jch, s.journalOffset(), table[0]);
                    }
                    case NEW_TAIL -> EncryptJournal.write(jch, s.journalOffset(), table[1]);
                }
            }
            EncryptJournal j = EncryptJournal.create(journalPath, jch, g, sections);
            jch.force(true);
            AtomicFiles.move(tmp, journalPath);
            syncDirectory(journalPath);
            return j;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The first {@code headLen} and the bytes from {@code tailAt} of the image after encryption: the new GPT, MBR boot code kept, VHD footer. */
    private static byte[][] newTable(Path dir, FileChannel img, EncryptPlan plan, long headLen, long tailAt, Entropy entropy) throws IOException {
        Path scratch = AtomicFiles.tempFile(dir.resolve("gpt"), ".tmp");
        try (FileChannel ch = FileChannel.open(scratch, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            EncryptJournal.write(ch, 0, EncryptJournal.read(img, 0, Math.toIntExact(headLen)));
            EncryptJournal.write(ch, plan.outSize() - 1, new byte[1]);
            plan.layout().write(ch);
            if (plan.vhd() != null)
                EncryptJournal.write(ch, plan.outSize(), VhdFooter.fixed(plan.outSize(), plan.vhd().timestamp(), EncryptPlan.uuidFrom(entropy.bytes(16))).encode());
            return new byte[][] {EncryptJournal.read(ch, 0, Math.toIntExact(headLen)), EncryptJournal.read(ch, tailAt, Math.toIntExact(ch.size() - tailAt))};
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /** One pass over the image from the journal's recorded state; each chunk is encrypted on all cores. */
    private static final class Run implements AutoCloseable {
        private final FileChannel img, jch;
        private final EncryptJournal journal;
        private final Geometry g;
        private final AesXts[] xts;     // one per worker
        private final ExecutorService pool;
        private final byte[] buf;
        private final Progress progress;

        Run(FileChannel img, FileChannel jch, EncryptJournal journal, byte[] volumeKey, Progress progress) {
            this.progress = progress;
            this.img = img;
            this.jch = jch;
            this.journal = journal;
            this.g = journal.geometry();
            int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            this.xts = new AesXts[workers];
            for (int i = 0; i < workers; i++) xts[i] = new AesXts(volumeKey);
            this.pool = Executors.newFixedThreadPool(workers, DaemonThreads.named("disk-inplace"));
            this.buf = new byte[g.chunkSize()];
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }

        /** Encrypts or decrypts the first {@code n} bytes of the buffer, chunk {@code k}, split across the workers. */
        private void crypt(boolean encrypt, long k, int n) throws IOException {
            int sector = g.sectorSize();
            int per = (n / sector + xts.length - 1) / xts.length * sector;
            List<Future<?>> parts = new ArrayList<>();
            for (int w = 0; w < xts.length && w * per < n; w++) {
                AesXts x = xts[w];
                int from = w * per, len = Math.min(per, n - from);
                long iv = (k * g.chunkSize() + from) / 512;
                parts.add(pool.submit(() -> {
                    if (encrypt) x.encrypt(buf, from, len, sector, iv, sector / 512);
                    else x.decrypt(buf, from, len, sector, iv, sector / 512);
                }));
            }
            try {
                for (Future<?> f : parts) f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        void forward() throws IOException {
            EncryptJournal.Progress p = journal.progress();
            long from = switch (p.state()) {
                case PREPARED -> {
                    if (img.size() < g.outFileSize()) EncryptJournal.write(img, g.outFileSize() - 1, new byte[1]);
                    put(Kind.NEW_HEAD);
                    put(Kind.NEW_TAIL);
                    img.force(true);
                    yield g.chunks() - 1;
                }
                case ENCRYPTING -> p.chunk();
                case FINISHING -> -1;
                case ROLLING_BACK, RESTORING -> throw new RecipeException(journal.path() + ": a rollback was interrupted; finish it with --rollback");
            };
            for (long k = from; k >= 0; k--) {
                int n = g.chunkLength(k);
                long src = g.partStart() + k * g.chunkSize();
                readFully(src, n);
                byte[] sha = checksum(n);
                if (k == from && p.state() == State.ENCRYPTING) checkInFlight(sha, k);
                journal.record(jch, State.ENCRYPTING, k, sha);
                crypt(true, k, n);
                writeFully(src + g.shift(), n);
                img.force(false);
                progress.update(g.partBytes() - k * g.chunkSize(), g.partBytes());     // chunks go from the last to the first
            }
            if (p.state() != State.FINISHING) journal.record(jch, State.FINISHING, -1, new byte[32]);
            put(Kind.LUKS_HEADER);
            img.force(true);
        }

        void rollback() throws IOException {
            EncryptJournal.Progress p = journal.progress();
            long from = switch (p.state()) {
                case PREPARED, RESTORING -> g.chunks();
                case ENCRYPTING -> {
                    readFully(g.partStart() + p.chunk() * g.chunkSize(), g.chunkLength(p.chunk()));
                    checkInFlight(checksum(g.chunkLength(p.chunk())), p.chunk());
                    yield p.chunk() + 1;
                }
                case FINISHING -> 0;
                case ROLLING_BACK -> p.chunk();
            };
            for (long k = from; k < g.chunks(); k++) {
                int n = g.chunkLength(k);
                long dst = g.partStart() + k * g.chunkSize();
                readFully(dst + g.shift(), n);
                byte[] sha = checksum(n);
                if (k == from && p.state() == State.ROLLING_BACK) checkInFlight(sha, k);
                journal.record(jch, State.ROLLING_BACK, k, sha);
                crypt(false, k, n);
                writeFully(dst, n);
                img.force(false);
                progress.update(dst - g.partStart() + n, g.partBytes());
            }
            if (p.state() != State.RESTORING) journal.record(jch, State.RESTORING, -1, new byte[32]);
            if (img.size() > g.inFileSize()) img.truncate(g.inFileSize());
            put(Kind.DISPLACED);
            put(Kind.OLD_HEAD);
            put(Kind.OLD_TAIL);
            img.force(true);
        }

        /** CRC-32C (the JDK intrinsic) of the buffer's first {@code n} bytes, as the journal's 32-byte checksum field. */
        private byte[] checksum(int n) {
            CRC32C crc = new CRC32C();
            crc.update(buf, 0, n);
            return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array();
        }

        private void checkInFlight(byte[] sha, long k) {
            if (!MessageDigest.isEqual(sha, journal.progress().sourceSha()))
                throw new RecipeException(journal.path() + ": chunk " + k + " in the image does not match the journal's checksum (was the image changed?)");
        }

        private void put(Kind kind) throws IOException {
            EncryptJournal.write(img, journal.section(kind).imageOffset(), journal.sectionBytes(jch, kind));
        }

        private void writeFully(long pos, int n) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) img.write(b, pos + b.position());
        }

        private void readFully(long pos, int n) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) if (img.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of image at " + (pos + b.position()));
        }
    }

    private static void syncDirectory(Path file) throws IOException {
        try (FileChannel d = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
