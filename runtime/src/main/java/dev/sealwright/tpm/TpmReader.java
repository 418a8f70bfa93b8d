package dev.sealwright.tpm;

import java.util.Arrays;

/** Big-endian TPM 2.0 unmarshalling with bounds checks that name the field being read. */
public final class TpmReader {
    private final byte[] buf;
    private int pos;

    public TpmReader(byte[] buf) {
        this.buf = buf;
    }

    public int u8(String field) {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    public int u16(String field) {
        need(2, field);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int u32(String field) {
        need(4, field);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public byte[] bytes(int n, String field) {
        need(n, field);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** A TPM2B whose size must not exceed {@code max}. */
    public byte[] sized(String field, int max) {
        int at = pos;
        int n = u16(field + " size");
        if (n > max) throw new TpmFormatException(field + " at offset " + at + " has size " + n + ", more than the maximum " + max);
        return bytes(n, field);
    }

    /** A TPM2B read as its own reader (the size bounds the inner structure, which must fill it exactly). */
    public TpmReader sizedReader(String field) {
        return new TpmReader(sized(field, 0xFFFF));
    }

    public int remaining() {
        return buf.length - pos;
    }

    /** Fails if bytes are left after a complete structure. */
    public void end(String structure) {
        if (pos != buf.length) {
            throw new TpmFormatException(structure + " has " + (buf.length - pos) + " unexpected trailing bytes at offset " + pos);
        }
    }

    private void need(int n, String field) {
        if (buf.length - pos < n) {
            throw new TpmFormatException("truncated: " + field + " at offset " + pos + " needs " + n + " bytes, " + (buf.length - pos) + " left");
        }
    }
}
