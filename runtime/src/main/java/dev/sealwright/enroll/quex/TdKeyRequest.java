package dev.sealwright.enroll.quex;

import dev.sealwright.base.RecipeException;

import java.util.Arrays;

/** {@code struct td_key_request}: mask (7) ‖ TDREPORT (1024) = 1031 bytes, sent by the TD first. */
public record TdKeyRequest(KeyRequestMask mask, TdReport report) {
    public static final int SIZE = KeyRequestMask.SIZE + TdReport.SIZE;

    public static TdKeyRequest decode(byte[] b, String source) {
        if (b.length != SIZE) throw new RecipeException(source + ": a quex key request is " + SIZE + " bytes, got " + b.length);
        return new TdKeyRequest(KeyRequestMask.decode(Arrays.copyOf(b, 7)), TdReport.parse(Arrays.copyOfRange(b, 7, SIZE), source));
    }

    public byte[] encode() {
        byte[] out = new byte[SIZE];
        System.arraycopy(mask.encode(), 0, out, 0, 7);
        System.arraycopy(report.bytes(), 0, out, 7, TdReport.SIZE);
        return out;
    }
}
