package dev.sealwright.disk.vhd;

import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A dynamic VHD (Microsoft "Virtual Hard Disk Image Format Specification" v1.0, big-endian):
 * <pre>
 *   0        footer copy (512)
 *   512      dynamic header (1024): "cxsparse", table offset, max table entries, block size
 *   1536     block allocation table: one u32 sector offset per block, 0xFFFFFFFF = not allocated
 *   ...      blocks: a sector bitmap (1 bit per sector, most significant bit first, padded to
 *            512 bytes) followed by the block's data
 *   end-512  footer (disk type 3, data offset 512)
 * </pre>
 * Reading: a sector of an unallocated block, or whose bitmap bit is clear, is zeros. Writing
 * ({@link #write}) uses 2 MiB blocks like qemu-img and Hyper-V and allocates only blocks that
 * hold a non-zero byte; the same input, timestamp and identity give the same bytes.
 */
public final class VhdDynamic {
    public static final int BLOCK_SIZE = 2 << 20;
    static final int HEADER_SIZE = 1024;
    static final long TABLE_OFFSET = VhdFooter.DYNAMIC_HEADER_OFFSET + HEADER_SIZE;
    private static final byte[] COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);
    private static final int UNALLOCATED = -1;

    private final FileChannel ch;
    private final String source;
    private final VhdFooter footer;
    private final int blockSize;
    private final int bitmapSize;
    private final int[] bat;

    private VhdDynamic(FileChannel ch, String source, VhdFooter footer, int blockSize, int[] bat) {
        this.ch = ch;
        this.source = source;
        this.footer = footer;
        this.blockSize = blockSize;
        this.bitmapSize = bitmapBytes(blockSize);
        this.bat = bat;
    }

    public VhdFooter footer() { return footer; }
    /** The virtual disk size (the footer's current size). */
    public long size() { return footer.currentSize(); }
    public int blockSize() { return blockSize; }
    /** Blocks that have data in the file. */
    public long allocatedBlocks() { return Arrays.stream(bat).filter(e -> e != UNALLOCATED).count(); }

    /** True when {@code ch} ends in a footer of a dynamic VHD. */
    public static boolean isDynamic(FileChannel ch) throws IOException {
        if (ch.size() < VhdFooter.SIZE + TABLE_OFFSET) return false;
        byte[] raw = read(ch, ch.size() - VhdFooter.SIZE, VhdFooter.SIZE);
        return new String(raw, 0, 8, StandardCharsets.US_ASCII).equals("conectix") && ByteBuffer.wrap(raw).getInt(60) == VhdFooter.DYNAMIC;
    }

    /** Opens a dynamic VHD; every structure is checked, a damaged one is one clear line. */
    public static VhdDynamic open(FileChannel ch, String source) throws IOException {
        long fileSize = ch.size();
        if (fileSize < VhdFooter.SIZE + TABLE_OFFSET) throw new RecipeException(source + ": too small for a dynamic VHD (" + fileSize + " bytes)");
        byte[] rawFooter = read(ch, fileSize - VhdFooter.SIZE, VhdFooter.SIZE);
        VhdFooter footer;
        try {
            footer = VhdFooter.decode(rawFooter, source);
        } catch (RecipeException e) { // the specification keeps a copy at offset 0 for this case
            rawFooter = read(ch, 0, VhdFooter.SIZE);
            footer = VhdFooter.decode(rawFooter, source + " (footer copy at offset 0; the one at the end is damaged)");
        }
        if (footer.diskType() != VhdFooter.DYNAMIC)
            throw new RecipeException(source + ": " + (footer.diskType() == 4 ? "not implemented in this build: differencing VHD" : "not a dynamic VHD (disk type " + footer.diskType() + ")"));
        long headerAt = VhdFooter.dataOffset(rawFooter);
        if (headerAt < 0 || headerAt + HEADER_SIZE > fileSize) throw new RecipeException(source + ": VHD dynamic header offset " + headerAt + " lies outside the file");
        ByteBuffer h = ByteBuffer.wrap(read(ch, headerAt, HEADER_SIZE));
        if (!Arrays.equals(Arrays.copyOf(h.array(), 8), COOKIE)) throw new RecipeException(source + ": no VHD dynamic header (\"cxsparse\" cookie) at offset " + headerAt);
        if (h.getInt(36) != headerChecksum(h.array())) throw new RecipeException(source + ": VHD dynamic header checksum mismatch");
        long tableOffset = h.getLong(16);
        int version = h.getInt(24);
        long entries = h.getInt(28) & 0xffffffffL;
        long blockSize = h.getInt(32) & 0xffffffffL;
        if (version != 0x00010000) throw new RecipeException(source + ": VHD dynamic header version " + Integer.toHexString(version) + " (1.0 expected)");
        if (blockSize < 512 || blockSize > (256L << 20) || Long.bitCount(blockSize) != 1)
            throw new RecipeException(source + ": VHD block size " + blockSize + " is not a power of two between 512 bytes and 256 MiB");
        if (entries * blockSize < footer.currentSize())
            throw new RecipeException(source + ": VHD block table of " + entries + " blocks of " + blockSize + " bytes does not cover the " + footer.currentSize() + "-byte disk");
        if (tableOffset < 0 || tableOffset + entries * 4 > fileSize) throw new RecipeException(source + ": VHD block table lies outside the file");
        ByteBuffer t = ByteBuffer.wrap(read(ch, tableOffset, Math.toIntExact(entries * 4)));
        int[] bat = new int[(int) entries];
        long dataEnd = fileSize - VhdFooter.SIZE;
        for (int i = 0; i < bat.length; i++) {
            bat[i] = t.getInt();
            if (bat[i] == UNALLOCATED) continue;
            long at = (bat[i] & 0xffffffffL) * 512;
            if (at < tableOffset + entries * 4 || at + bitmapBytes((int) blockSize) + blockSize > dataEnd)
                throw new RecipeException(source + ": VHD block " + i + " at offset " + at + " lies outside the data area");
        }
        return new VhdDynamic(ch, source, footer, (int) blockSize, bat);
    }

    /** Reads {@code len} bytes of the virtual disk at {@code pos}. */
    public void read(long pos, byte[] buf, int off, int len) throws IOException {
        if (pos < 0 || pos + len > size()) throw new IOException(source + ": read of " + len + " bytes at " + pos + " is outside the " + size() + "-byte disk");
        while (len > 0) {
            int block = (int) (pos / blockSize), inBlock = (int) (pos % blockSize);
            int n = Math.min(len, blockSize - inBlock);
            if (bat[block] == UNALLOCATED) Arrays.fill(buf, off, off + n, (byte) 0);
            else {
                long base = (bat[block] & 0xffffffffL) * 512;
                ByteBuffer bb = ByteBuffer.wrap(buf, off, n);
                while (bb.hasRemaining()) if (ch.read(bb, base + bitmapSize + inBlock + (bb.position() - off)) < 0) throw new IOException(source + ": unexpected end of file");
                byte[] bitmap = read(ch, base, bitmapSize);
                for (int s = inBlock / 512; s * 512 < inBlock + n; s++) {
                    if ((bitmap[s >>> 3] & (0x80 >>> (s & 7))) != 0) continue;
                    int from = Math.max(s * 512, inBlock), to = Math.min(s * 512 + 512, inBlock + n);
                    Arrays.fill(buf, off + from - inBlock, off + to - inBlock, (byte) 0);
                }
            }
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Writes the whole virtual disk as raw bytes at the start of {@code out}. Unallocated blocks stay holes. */
    public void copyTo(FileChannel out) throws IOException {
        byte[] buf = new byte[blockSize];
        for (int b = 0; b < bat.length && (long) b * blockSize < size(); b++) {
            int n = (int) Math.min(blockSize, size() - (long) b * blockSize);
            if (bat[b] == UNALLOCATED) continue;
            read((long) b * blockSize, buf, 0, n);
            write(out, (long) b * blockSize, buf, n);
        }
        if (out.size() < size()) write(out, size() - 1, new byte[1], 1); // trailing holes still count
    }

    /**
     * Writes {@code size} bytes of {@code raw} (from offset 0) as a dynamic VHD into the empty
     * channel {@code out}: footer copy, header, table, the blocks holding data, footer.
     */
    public static void write(FileChannel raw, long size, FileChannel out, long unixTime, java.util.UUID uniqueId) throws IOException {
        VhdFooter footer = VhdFooter.dynamic(size, unixTime, uniqueId);
        long entries = (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
        if (entries > 0x7fffffffL / 4) throw new RecipeException("VHD: " + size + " bytes is too large for one block table");
        long tableBytes = (entries * 4 + 511) / 512 * 512;
        int bitmapSize = bitmapBytes(BLOCK_SIZE);
        ByteBuffer table = ByteBuffer.allocate((int) tableBytes);
        for (long i = 0; i < tableBytes / 4; i++) table.putInt(UNALLOCATED);
        long next = TABLE_OFFSET + tableBytes;
        byte[] buf = new byte[BLOCK_SIZE];
        byte[] bitmap = new byte[bitmapSize];
        for (int b = 0; b < entries; b++) {
            int n = (int) Math.min(BLOCK_SIZE, size - (long) b * BLOCK_SIZE);
            Arrays.fill(buf, (byte) 0);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) if (raw.read(bb, (long) b * BLOCK_SIZE + bb.position()) < 0) throw new IOException("unexpected end of the raw disk at " + ((long) b * BLOCK_SIZE + bb.position()));
            if (allZero(buf, n)) continue;
            Arrays.fill(bitmap, (byte) 0);
            for (int s = 0; s < n / 512; s++) bitmap[s >>> 3] |= (byte) (0x80 >>> (s & 7));
            write(out, next, bitmap, bitmapSize);
            write(out, next + bitmapSize, buf, BLOCK_SIZE);
            table.putInt(b * 4, (int) (next / 512));
            next += bitmapSize + BLOCK_SIZE;
        }
        byte[] f = footer.encode();
        write(out, 0, f, f.length);
        write(out, VhdFooter.DYNAMIC_HEADER_OFFSET, header(entries), HEADER_SIZE);
        write(out, TABLE_OFFSET, table.array(), table.capacity());
        write(out, next, f, f.length);
    }

    static byte[] header(long entries) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
        h.put(COOKIE);
        h.putLong(-1L);                  // data offset: unused
        h.putLong(TABLE_OFFSET);
        h.putInt(0x00010000);            // header version 1.0
        h.putInt((int) entries);
        h.putInt(BLOCK_SIZE);
        h.putInt(0);                     // checksum, below
        // parent identity, time stamp, name and locators: zero (no parent)
        byte[] out = h.array();
        ByteBuffer.wrap(out).putInt(36, headerChecksum(out));
        return out;
    }

    /** One's complement of the byte sum with the checksum field (36-39) counted as zero. */
    static int headerChecksum(byte[] header) {
        int sum = 0;
        for (int i = 0; i < HEADER_SIZE; i++) if (i < 36 || i >= 40) sum += header[i] & 0xff;
        return ~sum;
    }

    static int bitmapBytes(int blockSize) {
        int bytes = blockSize / 512 / 8;
        return (bytes + 511) / 512 * 512;
    }

    private static final byte[] ZEROS = new byte[BLOCK_SIZE];

    private static boolean allZero(byte[] b, int n) {
        return Arrays.mismatch(b, 0, n, ZEROS, 0, n) < 0;
    }

    private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of file at " + (pos + b.position()));
        return b.array();
    }

    private static void write(FileChannel ch, long pos, byte[] data, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data, 0, len);
        while (b.hasRemaining()) ch.write(b, pos + b.position());
    }
}
