package dev.sealwright.measure.tdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * MRTD: one running SHA-384 over the 128-byte TDH.MEM.PAGE.ADD / TDH.MR.EXTEND records the host
 * issues while building the TD from the TDVF sections (in metadata order), then the data of each
 * extended 256-byte chunk. Depends only on the firmware and the {@link PageOrder}.
 */
public final class MrtdCalculator {
    private static final byte[] PAGE_ADD = "MEM.PAGE.ADD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MR_EXTEND = "MR.EXTEND".getBytes(StandardCharsets.US_ASCII);

    /** How the host orders PAGE.ADD and MR.EXTEND. */
    public enum PageOrder {
        /** Per page: ADD, then its 16 EXTENDs (QEMU >= 9 with upstream KVM, GCE, Ubuntu 25.04+). */
        SINGLE_PASS,
        /** Per section: all ADDs, then all EXTENDs (Canonical 24.04 QEMU 8.2 / host 6.8, intel qemu-tdx v19 series). */
        TWO_PASS
    }

    private MrtdCalculator() {}

    public static byte[] compute(byte[] fw, TdvfMetadata metadata, PageOrder order) {
        MessageDigest md = dev.sealwright.measure.event.HashAlg.SHA384.newDigest();
        for (TdvfSection s : metadata.sections()) {
            if (s.pageAug()) continue;
            long pages = s.memoryDataSize() / 4096;
            if (order == PageOrder.SINGLE_PASS) {
                for (long p = 0; p < pages; p++) {
                    pageAdd(md, s.memoryAddress() + p * 4096);
                    if (s.extended()) extendPage(md, fw, s, p);
                }
            } else {
                for (long p = 0; p < pages; p++) pageAdd(md, s.memoryAddress() + p * 4096);
                if (s.extended()) for (long p = 0; p < pages; p++) extendPage(md, fw, s, p);
            }
        }
        return md.digest();
    }

    private static void pageAdd(MessageDigest md, long gpa) {
        md.update(record(PAGE_ADD, gpa));
    }

    /** The 16 MR.EXTEND records of one page; bytes past the section's file data are zero. */
    private static void extendPage(MessageDigest md, byte[] fw, TdvfSection s, long page) {
        byte[] chunk = new byte[256];
        for (int c = 0; c < 16; c++) {
            long off = page * 4096 + c * 256L;
            md.update(record(MR_EXTEND, s.memoryAddress() + off));
            java.util.Arrays.fill(chunk, (byte) 0);
            long avail = Math.min(256, Math.max(0, s.rawDataSize() - off));
            if (avail > 0) System.arraycopy(fw, (int) (s.dataOffset() + off), chunk, 0, (int) avail);
            md.update(chunk);
        }
    }

    private static byte[] record(byte[] op, long gpa) {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        b.put(op).putLong(16, gpa);
        return b.array();
    }
}
