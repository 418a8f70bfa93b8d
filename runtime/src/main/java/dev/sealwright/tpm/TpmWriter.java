package dev.sealwright.tpm;

import java.io.ByteArrayOutputStream;

/** Big-endian TPM 2.0 marshalling (TPM 2.0 Part 2 canonical form). */
public final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public TpmWriter u8(int v) {
        out.write(v & 0xFF);
        return this;
    }

    public TpmWriter u16(int v) {
        if (v < 0 || v > 0xFFFF) throw new IllegalArgumentException("value does not fit in 16 bits: " + v);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A TPM2B: u16 size then the bytes. */
    public TpmWriter sized(byte[] b) {
        return u16(b.length).bytes(b);
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }
}
