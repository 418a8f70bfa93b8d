package dev.sealwright.enroll.quex;

import dev.sealwright.base.RecipeException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The 1024-byte TDREPORT_STRUCT (Intel {@code sgx_report2_t}): REPORTMACSTRUCT (256 bytes),
 * TEE_TCB_INFO (239), reserved (17), TDINFO (512). Offsets per Intel linux-sgx sgx_report2.h.
 */
public final class TdReport {
    public static final int SIZE = 1024;
    static final int TEE_TCB_INFO = 256, TEE_TCB_INFO_SIZE = 239, RESERVED = 495, TDINFO = 512;

    private final byte[] bytes;

    private TdReport(byte[] bytes) {
        this.bytes = bytes;
    }

    public static TdReport parse(byte[] b, String source) {
        if (b.length != SIZE) throw new RecipeException(source + ": a TD report is " + SIZE + " bytes, got " + b.length);
        if ((b[0] & 0xff) != 0x81) throw new RecipeException(source + ": report type 0x" + Integer.toHexString(b[0] & 0xff) + " is not a TDX report (0x81)");
        return new TdReport(b.clone());
    }

    /**
     * A report from its parts, with TEE_TCB_INFO_HASH and TEE_INFO_HASH computed (SHA-384 of the two
     * structures) and reserved fields and MAC zero. Only a TDX module can MAC a report; one built here
     * is never a real report.
     */
    public static TdReport assemble(byte[] reportType, byte[] cpuSvn, byte[] teeTcbInfo, byte[] tdInfo, byte[] reportData) {
        byte[] b = new byte[SIZE];
        put(b, 0, reportType, 4);
        put(b, 16, cpuSvn, 16);
        put(b, TEE_TCB_INFO, teeTcbInfo, TEE_TCB_INFO_SIZE);
        put(b, TDINFO, tdInfo, 512);
        put(b, 128, reportData, 64);
        try {
            MessageDigest sha384 = MessageDigest.getInstance("SHA-384");
            System.arraycopy(sha384.digest(teeTcbInfo), 0, b, 32, 48);
            System.arraycopy(sha384.digest(tdInfo), 0, b, 80, 48);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return parse(b, "assembled TD report");
    }

    /**
     * A SIMULATED report (TDX 1.0 type 0x81) for a guest without TDX: the given TD attributes, XFAM,
     * MRTD and RTMR0..3 (null = all zero), zero CPUSVN/TEE_TCB_INFO/REPORTDATA. Its registers say
     * what the caller put there, nothing more.
     */
    public static TdReport simulated(byte[] attributes, byte[] xfam, byte[] mrTd, byte[][] rtmrs) {
        byte[] tdInfo = new byte[512];
        put(tdInfo, 0, attributes, 8);
        put(tdInfo, 8, xfam, 8);
        if (mrTd != null) put(tdInfo, 16, mrTd, 48);
        for (int i = 0; i < 4; i++) if (rtmrs[i] != null) put(tdInfo, 208 + 48 * i, rtmrs[i], 48);
        return assemble(new byte[]{(byte) 0x81, 0, 0, 0}, new byte[16], new byte[TEE_TCB_INFO_SIZE], tdInfo, new byte[64]);
    }

    private static void put(byte[] into, int off, byte[] v, int len) {
        if (v.length != len) throw new IllegalArgumentException("TD report field at " + off + " is " + len + " bytes, got " + v.length);
        System.arraycopy(v, 0, into, off, len);
    }

    public byte[] bytes() { return bytes.clone(); }
    public byte[] cpuSvn() { return slice(16, 16); }
    public byte[] teeTcbInfoHash() { return slice(32, 48); }
    public byte[] teeInfoHash() { return slice(80, 48); }
    public byte[] reportData() { return slice(128, 64); }
    public byte[] teeTcbInfo() { return slice(TEE_TCB_INFO, TEE_TCB_INFO_SIZE); }
    public byte[] tdInfo() { return slice(TDINFO, 512); }
    public byte[] attributes() { return slice(TDINFO, 8); }
    /** TD ATTRIBUTES bit 0 (TUD.DEBUG): the host can read and change the TD's state. */
    public boolean debug() { return (bytes[TDINFO] & 1) != 0; }
    public byte[] xfam() { return slice(TDINFO + 8, 8); }
    public byte[] mrTd() { return slice(TDINFO + 16, 48); }
    public byte[] rtmr(int i) {
        if (i < 0 || i > 3) throw new IllegalArgumentException("RTMR index " + i);
        return slice(TDINFO + 208 + 48 * i, 48);
    }

    /** True when the two SHA-384 hashes in REPORTMACSTRUCT match TEE_TCB_INFO and TDINFO. */
    public boolean hashesConsistent() {
        try {
            MessageDigest sha384 = MessageDigest.getInstance("SHA-384");
            boolean tcb = Arrays.equals(sha384.digest(teeTcbInfo()), teeTcbInfoHash());
            return tcb && Arrays.equals(sha384.digest(tdInfo()), teeInfoHash());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] slice(int off, int len) {
        return Arrays.copyOfRange(bytes, off, off + len);
    }
}
