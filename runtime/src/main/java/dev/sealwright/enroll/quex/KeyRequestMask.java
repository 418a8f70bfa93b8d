package dev.sealwright.enroll.quex;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The quex 7-byte key-request mask ({@code struct td_key_request_mask}): which TD report fields
 * bind the derived key. A set bit keeps a field; a clear bit zeroes it before the vault compares
 * or derives. Bit meanings follow quex-pack src/init/types.h.
 */
public record KeyRequestMask(int reportMacStruct, int teeTcbInfo, int reserved, int tdInfoBase, int tdInfoExtension) {
    public static final int SIZE = 7;
    /** quex default 04 03 00 00 c7 00 00: CPUSVN, TCB valid + SVN, TD attributes, XFAM, MRTD, RTMR0, RTMR1. */
    public static final KeyRequestMask DEFAULT = decode(HexFormat.of().parseHex("04030000c70000"));

    public static KeyRequestMask decode(byte[] b) {
        if (b.length != SIZE) throw new IllegalArgumentException("mask is 7 bytes");
        return new KeyRequestMask(b[0] & 0xff, (b[1] & 0xff) | (b[2] & 0xff) << 8, b[3] & 0xff,
                (b[4] & 0xff) | (b[5] & 0xff) << 8, b[6] & 0xff);
    }

    public byte[] encode() {
        return new byte[]{(byte) reportMacStruct, (byte) teeTcbInfo, (byte) (teeTcbInfo >> 8), (byte) reserved,
                (byte) tdInfoBase, (byte) (tdInfoBase >> 8), (byte) tdInfoExtension};
    }

    /** The report with every field whose bit is clear set to zero. */
    public byte[] apply(byte[] report) {
        byte[] r = report.clone();
        // REPORTMACSTRUCT: report_type(4) reserved1(12) cpu_svn(16) tee_tcb_info_hash(48) tee_info_hash(48) report_data(64) reserved2(32) mac(32)
        keep(r, reportMacStruct, new int[][]{{0, 4}, {4, 12}, {16, 16}, {32, 48}, {80, 48}, {128, 64}, {192, 32}, {224, 32}});
        int t = TdReport.TEE_TCB_INFO;
        // TEE_TCB_INFO: valid(8) tee_tcb_svn(16) mr_seam(48) mr_signer_seam(48) attributes(8) svn2[0] svn2[1] svn2[2] svn2[3..15] reserved(95)
        keep(r, teeTcbInfo, new int[][]{{t, 8}, {t + 8, 16}, {t + 24, 48}, {t + 72, 48}, {t + 120, 8}, {t + 128, 1}, {t + 129, 1},
                {t + 130, 1}, {t + 131, 13}, {t + 144, 95}});
        keep(r, reserved, new int[][]{{TdReport.RESERVED, 17}});
        int d = TdReport.TDINFO;
        // TDINFO: attributes xfam mr_td mr_config_id mr_owner mr_owner_config rtmr0..3 servtd_hash, then 64-byte extension
        keep(r, tdInfoBase, new int[][]{{d, 8}, {d + 8, 8}, {d + 16, 48}, {d + 64, 48}, {d + 112, 48}, {d + 160, 48},
                {d + 208, 48}, {d + 256, 48}, {d + 304, 48}, {d + 352, 48}, {d + 400, 48}});
        keep(r, tdInfoExtension, new int[][]{{d + 448, 64}});
        return r;
    }

    private static void keep(byte[] r, int bits, int[][] fields) {
        for (int i = 0; i < fields.length; i++)
            if ((bits & (1 << i)) == 0) Arrays.fill(r, fields[i][0], fields[i][0] + fields[i][1], (byte) 0);
    }
}
