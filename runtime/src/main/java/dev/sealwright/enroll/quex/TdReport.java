package dev.sealwright.enroll.quex;

import dev.sealwright.engine.RecipeException;

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

    public byte[] bytes() { return bytes.clone(); }
    public byte[] cpuSvn() { return slice(16, 16); }
    public byte[] teeTcbInfoHash() { return slice(32, 48); }
    public byte[] teeInfoHash() { return slice(80, 48); }
    public byte[] reportData() { return slice(128, 64); }
    public byte[] teeTcbInfo() { return slice(TEE_TCB_INFO, TEE_TCB_INFO_SIZE); }
    public byte[] tdInfo() { return slice(TDINFO, 512); }
    public byte[] attributes() { return slice(TDINFO, 8); }
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
