package dev.sealwright.attest.dcap;

import java.io.ByteArrayOutputStream;

/** Little-endian writer: the symmetric counterpart of {@link LeReader}. */
final class LeWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    LeWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    LeWriter u16(int v) {
        out.write(v & 0xff);
        out.write(v >>> 8 & 0xff);
        return this;
    }

    LeWriter u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
