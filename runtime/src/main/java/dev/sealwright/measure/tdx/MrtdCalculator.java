package dev.sealwright.measure.tdx;

import dev.sealwright.measure.event.HashAlg;
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
        MessageDigest md = HashAlg.SHA384.newDigest();
        Records r = new Records();
        for (TdvfSection s : metadata.sections()) {
            if (s.pageAug()) continue;
            long pages = s.memoryDataSize() / 4096;
            if (order == PageOrder.SINGLE_PASS) {
                for (long p = 0; p < pages; p++) {
                    md.update(r.pageAdd(s.memoryAddress() + p * 4096));
                    if (s.extended()) extendPage(md, r, fw, s, p);
                }
            } else {
                for (long p = 0; p < pages; p++) md.update(r.pageAdd(s.memoryAddress() + p * 4096));
                if (s.extended()) for (long p = 0; p < pages; p++) extendPage(md, r, fw, s, p);
            }
        }
        return md.digest();
    }

    /** The 16 MR.EXTEND records of one page, each followed by its 256 bytes (zero past the section's file data). */
    private static void extendPage(MessageDigest md, Records r, byte[] fw, TdvfSection s, long page) {
        for (int c = 0; c < 16; c++) {
            long off = page * 4096 + c * 256L;
            md.update(r.mrExtend(s.memoryAddress() + off));
            long avail = Math.min(256, Math.max(0, s.rawDataSize() - off));
            if (avail == 256) {
                md.update(fw, (int) (s.dataOffset() + off), 256);
            } else {
                byte[] chunk = new byte[256];
                if (avail > 0) System.arraycopy(fw, (int) (s.dataOffset() + off), chunk, 0, (int) avail);
                md.update(chunk);
            }
        }
    }

    /** The two 128-byte record buffers, reused: operation name at 0, GPA (u64 LE) at 16, zeros elsewhere. */
    private static final class Records {
        private final ByteBuffer add = record(PAGE_ADD), extend = record(MR_EXTEND);

        private static ByteBuffer record(byte[] op) {
            ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            b.put(op);
            return b;
        }

        byte[] pageAdd(long gpa) {
            return add.putLong(16, gpa).array();
        }

        byte[] mrExtend(long gpa) {
            return extend.putLong(16, gpa).array();
        }
    }
}
