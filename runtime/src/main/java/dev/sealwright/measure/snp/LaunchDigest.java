package dev.sealwright.measure.snp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SNP guest context launch digest (GCTX.LD): starts as 48 zero bytes (or a seed such as a
 * precomputed OVMF hash) and absorbs each launched page as {@code LD = SHA-384(PAGE_INFO)}.
 */
public final class LaunchDigest {
    public static final int SIZE = 48;
    public static final int PAGE = 4096;
    /** GPA recorded for VMSA pages: (u64)-1, page aligned, bits above 51 cleared. */
    public static final long VMSA_GPA = 0xFFFFFFFFF000L;
    private static final byte[] ZERO_CONTENTS = new byte[SIZE];
    private static final int PAGE_INFO_SIZE = 0x70;

    private final byte[] ld;
    private long pages;

    public LaunchDigest() {
        this(new byte[SIZE]);
    }

    public LaunchDigest(byte[] seed) {
        if (seed.length != SIZE) throw new IllegalArgumentException("launch digest seed must be 48 bytes, got " + seed.length);
        this.ld = seed.clone();
    }

    public byte[] value() {
        return ld.clone();
    }

    /** Number of pages absorbed so far. */
    public long pages() {
        return pages;
    }

    /** Absorbs one PAGE_INFO: current LD, 48-byte contents, length 0x70, page type, IMI 0, VMPL perms 0, GPA. */
    public void update(PageType type, long gpa, byte[] contents) {
        if (contents.length != SIZE) throw new IllegalArgumentException("page contents digest must be 48 bytes");
        ByteBuffer info = ByteBuffer.allocate(PAGE_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        info.put(ld).put(contents);
        info.putShort((short) PAGE_INFO_SIZE).put((byte) type.code).put((byte) 0);
        info.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        info.putLong(gpa);
        System.arraycopy(sha384(info.array(), 0, PAGE_INFO_SIZE), 0, ld, 0, SIZE);
        pages++;
    }

    /** NORMAL pages: every 4 KiB of {@code data} from {@code gpa} on, contents = SHA-384(page). */
    public void updateNormalPages(long gpa, byte[] data) {
        if (data.length % PAGE != 0) throw new IllegalArgumentException("normal pages must be a multiple of 4096 bytes");
        for (int off = 0; off < data.length; off += PAGE) update(PageType.NORMAL, gpa + off, sha384(data, off, PAGE));
    }

    /** Pages whose contents field is zero (ZERO, UNMEASURED): one per 4 KiB of {@code size}. */
    public void updateEmptyPages(PageType type, long gpa, long size) {
        if (size % PAGE != 0) throw new IllegalArgumentException("page range size must be a multiple of 4096 bytes");
        for (long off = 0; off < size; off += PAGE) update(type, gpa + off, ZERO_CONTENTS);
    }

    /** A single page with zero contents (SECRETS, CPUID). */
    public void updateEmptyPage(PageType type, long gpa) {
        update(type, gpa, ZERO_CONTENTS);
    }

    public void updateVmsaPage(byte[] vmsa) {
        if (vmsa.length != PAGE) throw new IllegalArgumentException("a VMSA is 4096 bytes");
        update(PageType.VMSA, VMSA_GPA, sha384(vmsa, 0, PAGE));
    }

    public static byte[] sha384(byte[] data, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-384");
            md.update(data, off, len);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha384(byte[] data) {
        return sha384(data, 0, data.length);
    }
}
