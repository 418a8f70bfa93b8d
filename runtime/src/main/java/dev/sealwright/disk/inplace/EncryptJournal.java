package dev.sealwright.disk.inplace;

import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The journal of an in-place rootfs encryption, a file next to the image (format in
 * docs/disk.md, all integers little-endian):
 * <pre>
 *   0     header block (4096): magic "SWENCJ01", version, geometry, section table, SHA-256
 *         over the block's first 4064 bytes and every section's bytes (at 4064)
 *   4096  progress slot 0 (512)    } written alternately; the valid slot with the higher
 *   4608  progress slot 1 (512)    } sequence number counts (a torn write leaves the other)
 *   8192  sections, each 4096-aligned: the staged LUKS2 header, the image bytes the shifted
 *         data overwrites, the old and new GPT head and tail
 * </pre>
 * A progress record is magic "SWENCP01", seq, state, the chunk in flight and a 32-byte checksum
 * field for that chunk's source bytes (CRC-32C, u32, then zeros), then the SHA-256 of those 64 bytes.
 */
public final class EncryptJournal {
    static final byte[] MAGIC = "SWENCJ01".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PROGRESS_MAGIC = "SWENCP01".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = 4096, SLOT = 512, SECTIONS_START = 8192, CHECKSUM_AT = 4064;

    /** What the image looks like: the partition at {@code partStart} moves up by {@code shift} bytes. */
    public record Geometry(long partStart, long partBytes, long shift, int chunkSize, int sectorSize, long inFileSize, long outFileSize) {
        public long chunks() { return (partBytes + chunkSize - 1) / chunkSize; }
        public int chunkLength(long k) { return (int) Math.min(chunkSize, partBytes - k * chunkSize); }
    }

    /** Bytes kept in the journal that belong at {@code imageOffset} in the image. */
    public record Section(Kind kind, long journalOffset, long imageOffset, long length) {}

    public enum Kind { LUKS_HEADER, DISPLACED, OLD_HEAD, OLD_TAIL, NEW_HEAD, NEW_TAIL }

    public enum State { PREPARED, ENCRYPTING, FINISHING, ROLLING_BACK, RESTORING }

    /** {@code chunk} is in flight (-1: none); {@code sourceSha} is the checksum field of its source bytes. */
    public record Progress(long seq, State state, long chunk, byte[] sourceSha) {}

    private final Path path;
    private final Geometry geometry;
    private final List<Section> sections;
    private Progress progress;

    private EncryptJournal(Path path, Geometry geometry, List<Section> sections, Progress progress) {
        this.path = path;
        this.geometry = geometry;
        this.sections = sections;
        this.progress = progress;
    }

    public Path path() { return path; }
    public Geometry geometry() { return geometry; }
    public Progress progress() { return progress; }

    public Section section(Kind kind) {
        return sections.stream().filter(s -> s.kind() == kind).findFirst().orElseThrow();
    }

    /** Lays out sections of the given lengths (in {@link Kind} order) after the progress slots. */
    public static List<Section> layout(long[][] imageOffsetAndLength) {
        List<Section> out = new ArrayList<>();
        long pos = SECTIONS_START;
        for (Kind k : Kind.values()) {
            long[] ol = imageOffsetAndLength[k.ordinal()];
            out.add(new Section(k, pos, ol[0], ol[1]));
            pos += (ol[1] + 4095) / 4096 * 4096;
        }
        return out;
    }

    /**
     * Writes the header block and the first progress record (PREPARED) into {@code ch}, whose
     * sections must already hold their bytes. The caller forces and renames the file.
     */
    public static EncryptJournal create(Path path, FileChannel ch, Geometry g, List<Section> sections) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(g.sectorSize()).putInt(g.chunkSize()).putInt(sections.size());
        b.putLong(g.partStart()).putLong(g.partBytes()).putLong(g.shift()).putLong(g.inFileSize()).putLong(g.outFileSize());
        for (Section s : sections) b.putInt(s.kind().ordinal()).putLong(s.journalOffset()).putLong(s.imageOffset()).putLong(s.length());
        byte[] header = b.array();
        System.arraycopy(checksum(ch, header, sections), 0, header, CHECKSUM_AT, 32);
        write(ch, 0, header);
        EncryptJournal j = new EncryptJournal(path, g, sections, new Progress(0, State.PREPARED, -1, new byte[32]));
        j.record(ch, State.PREPARED, -1, new byte[32]);
        return j;
    }

    /** Reads and checks a journal; one clear line when it is damaged. */
    public static EncryptJournal read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() < SECTIONS_START) throw bad(path, "truncated (" + ch.size() + " bytes)");
            byte[] header = read(ch, 0, HEADER);
            ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw bad(path, "not an in-place encryption journal (magic)");
            int version = b.getInt();
            if (version != VERSION) throw bad(path, "journal version " + version + " (this build reads " + VERSION + ")");
            int sectorSize = b.getInt(), chunkSize = b.getInt(), count = b.getInt();
            Geometry g = new Geometry(b.getLong(), b.getLong(), b.getLong(), chunkSize, sectorSize, b.getLong(), b.getLong());
            if (count != Kind.values().length) throw bad(path, "has " + count + " sections, expected " + Kind.values().length);
            List<Section> sections = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int kind = b.getInt();
                if (kind != i) throw bad(path, "section " + i + " has kind " + kind);
                Section s = new Section(Kind.values()[kind], b.getLong(), b.getLong(), b.getLong());
                if (s.journalOffset() < SECTIONS_START || s.length() < 0 || s.journalOffset() + s.length() > ch.size())
                    throw bad(path, "section " + s.kind() + " lies outside the file");
                sections.add(s);
            }
            if (g.chunkSize() <= 0 || g.chunkSize() % g.sectorSize() != 0 || g.chunkSize() > g.shift() || g.partBytes() % g.sectorSize() != 0)
                throw bad(path, "inconsistent geometry " + g);
            if (!MessageDigest.isEqual(checksum(ch, header, sections), Arrays.copyOfRange(header, CHECKSUM_AT, CHECKSUM_AT + 32)))
                throw bad(path, "checksum mismatch (the journal is damaged)");
            Progress best = null;
            for (int slot = 0; slot < 2; slot++) {
                Progress p = decode(read(ch, HEADER + slot * SLOT, SLOT));
                if (p != null && (best == null || p.seq() > best.seq())) best = p;
            }
            if (best == null) throw bad(path, "no valid progress record");
            if (best.chunk() < -1 || best.chunk() >= g.chunks()) throw bad(path, "progress names chunk " + best.chunk() + " of " + g.chunks());
            return new EncryptJournal(path, g, sections, best);
        }
    }

    /** Records progress durably: the slot the current record is not in, then fsync. */
    public void record(FileChannel ch, State state, long chunk, byte[] sourceSha) throws IOException {
        Progress next = new Progress(progress.seq() + 1, state, chunk, sourceSha.clone());
        ByteBuffer b = ByteBuffer.allocate(SLOT).order(ByteOrder.LITTLE_ENDIAN);
        b.put(PROGRESS_MAGIC).putLong(next.seq()).putInt(state.ordinal()).putInt(0).putLong(chunk).put(sourceSha);
        byte[] rec = b.array();
        System.arraycopy(sha256(rec, 0, 64), 0, rec, 64, 32);
        write(ch, HEADER + (next.seq() % 2) * SLOT, rec);
        ch.force(false);
        progress = next;
    }

    private static Progress decode(byte[] rec) {
        if (!Arrays.equals(Arrays.copyOf(rec, 8), PROGRESS_MAGIC)) return null;
        if (!MessageDigest.isEqual(sha256(rec, 0, 64), Arrays.copyOfRange(rec, 64, 96))) return null;
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        long seq = b.getLong(8);
        int state = b.getInt(16);
        if (state < 0 || state >= State.values().length) return null;
        return new Progress(seq, State.values()[state], b.getLong(24), Arrays.copyOfRange(rec, 32, 64));
    }

    public byte[] sectionBytes(FileChannel ch, Kind kind) throws IOException {
        Section s = section(kind);
        return read(ch, s.journalOffset(), Math.toIntExact(s.length()));
    }

    private static byte[] checksum(FileChannel ch, byte[] header, List<Section> sections) throws IOException {
        MessageDigest md = sha();
        md.update(header, 0, CHECKSUM_AT);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (Section s : sections) {
            for (long done = 0; done < s.length(); ) {
                buf.clear().limit((int) Math.min(buf.capacity(), s.length() - done));
                while (buf.hasRemaining()) if (ch.read(buf, s.journalOffset() + done + buf.position()) < 0) throw new IOException("short read in journal section " + s.kind());
                md.update(buf.array(), 0, buf.position());
                done += buf.position();
            }
        }
        return md.digest();
    }

    static byte[] sha256(byte[] b, int off, int len) {
        MessageDigest md = sha();
        md.update(b, off, len);
        return md.digest();
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RecipeException bad(Path path, String what) {
        return new RecipeException(path + ": " + what);
    }

    static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of file at " + (pos + b.position()));
        return b.array();
    }

    static void write(FileChannel ch, long pos, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b, pos + b.position());
    }
}
