package dev.sealwright.disk.vhd;

import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The 512-byte footer of a fixed VHD (Microsoft "Virtual Hard Disk Image Format Specification"
 * v1.0, big-endian): a fixed VHD is the raw disk followed by this footer. We write the creator
 * application "qem2", which tells readers such as QEMU to take the size from {@code currentSize}
 * rather than from the CHS geometry (that is how QEMU marks its own force_size images).
 */
public record VhdFooter(long currentSize, long timestamp, UUID uniqueId, String creatorApp, int diskType) {
    public static final int SIZE = 512;
    public static final int FIXED = 2;
    public static final int DYNAMIC = 3;
    /** Where a dynamic disk's header starts: right after the footer copy at offset 0. */
    public static final long DYNAMIC_HEADER_OFFSET = 512;
    private static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final long EPOCH_2000 = 946684800L;

    /** A footer for a fixed disk of {@code size} bytes; {@code unixTime} becomes the VHD timestamp. */
    public static VhdFooter fixed(long size, long unixTime, UUID uniqueId) {
        if (size % 512 != 0) throw new IllegalArgumentException("VHD disk size " + size + " is not a multiple of 512");
        return new VhdFooter(size, unixTime, uniqueId, "qem2", FIXED);
    }

    /** A footer for a dynamic disk of {@code size} bytes (its dynamic header at offset 512). */
    public static VhdFooter dynamic(long size, long unixTime, UUID uniqueId) {
        if (size % 512 != 0) throw new IllegalArgumentException("VHD disk size " + size + " is not a multiple of 512");
        return new VhdFooter(size, unixTime, uniqueId, "qem2", DYNAMIC);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(COOKIE);
        b.putInt(2);                       // features: reserved bit always set
        b.putInt(0x00010000);              // file format version 1.0
        b.putLong(diskType == FIXED ? -1L : DYNAMIC_HEADER_OFFSET); // data offset: the dynamic header
        b.putInt((int) (timestamp - EPOCH_2000));
        b.put(Arrays.copyOf(creatorApp.getBytes(StandardCharsets.US_ASCII), 4));
        b.putInt(0x00010000);              // creator version
        b.put("Wi2k".getBytes(StandardCharsets.US_ASCII));
        b.putLong(currentSize);            // original size
        b.putLong(currentSize);
        int[] chs = geometry(currentSize / 512);
        b.putShort((short) chs[0]).put((byte) chs[1]).put((byte) chs[2]);
        b.putInt(diskType);
        b.putInt(0);                       // checksum, below
        b.putLong(uniqueId.getMostSignificantBits()).putLong(uniqueId.getLeastSignificantBits());
        byte[] out = b.array();
        ByteBuffer.wrap(out).putInt(64, checksum(out));
        return out;
    }

    /** Reads the footer at the end of {@code ch}; null when there is none (no "conectix" cookie). */
    public static VhdFooter readIfPresent(FileChannel ch, String source) throws IOException {
        long size = ch.size();
        if (size < SIZE) return null;
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        while (b.hasRemaining() && ch.read(b, size - SIZE + b.position()) > 0) { }
        byte[] raw = b.array();
        if (!Arrays.equals(Arrays.copyOf(raw, 8), COOKIE)) return null;
        VhdFooter f = decode(raw, source);
        if (f.diskType() != FIXED) throw new RecipeException(source + ": not implemented in this build: " + (f.diskType() == DYNAMIC ? "dynamic" : f.diskType() == 4 ? "differencing" : "type " + f.diskType())
                + " VHD input here (convert it: qemu-img convert -O raw " + source + " disk.raw)");
        if (f.currentSize() != size - SIZE) throw new RecipeException(source + ": VHD footer says " + f.currentSize() + " bytes but the file holds " + (size - SIZE));
        return f;
    }

    /** Decodes a footer of any disk type: cookie and checksum are checked. */
    public static VhdFooter decode(byte[] raw, String source) {
        if (raw.length != SIZE || !Arrays.equals(Arrays.copyOf(raw, 8), COOKIE)) throw new RecipeException(source + ": no VHD footer (\"conectix\" cookie)");
        ByteBuffer v = ByteBuffer.wrap(raw);
        if (v.getInt(64) != checksum(raw)) throw new RecipeException(source + ": VHD footer checksum mismatch");
        long current = v.getLong(48);
        if (current < 0 || current % 512 != 0) throw new RecipeException(source + ": VHD footer size " + current + " is not a multiple of 512");
        String app = new String(raw, 28, 4, StandardCharsets.US_ASCII);
        return new VhdFooter(current, (v.getInt(24) & 0xffffffffL) + EPOCH_2000, new UUID(v.getLong(68), v.getLong(76)), app, v.getInt(60));
    }

    /** The data offset field: the dynamic header's position (-1 for fixed disks). */
    public static long dataOffset(byte[] raw) {
        return ByteBuffer.wrap(raw).getLong(16);
    }

    /** One's complement of the byte sum, with the checksum field counted as zero. */
    static int checksum(byte[] footer) {
        int sum = 0;
        for (int i = 0; i < SIZE; i++) if (i < 64 || i >= 68) sum += footer[i] & 0xff;
        return ~sum;
    }

    /** CHS geometry from the VHD specification's appendix (used by readers that ignore currentSize). */
    static int[] geometry(long totalSectors) {
        long sectors = Math.min(totalSectors, 65535L * 16 * 255);
        long spt, heads, cylTimesHeads;
        if (sectors >= 65535L * 16 * 63) {
            spt = 255; heads = 16; cylTimesHeads = sectors / spt;
        } else {
            spt = 17; cylTimesHeads = sectors / spt;
            heads = (cylTimesHeads + 1023) / 1024;
            if (heads < 4) heads = 4;
            if (cylTimesHeads >= heads * 1024 || heads > 16) { spt = 31; heads = 16; cylTimesHeads = sectors / spt; }
            if (cylTimesHeads >= heads * 1024) { spt = 63; heads = 16; cylTimesHeads = sectors / spt; }
        }
        return new int[] {(int) (cylTimesHeads / heads), (int) heads, (int) spt};
    }
}
