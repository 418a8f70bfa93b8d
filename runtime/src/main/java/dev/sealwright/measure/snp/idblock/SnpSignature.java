package dev.sealwright.measure.snp.idblock;

import dev.sealwright.engine.RecipeException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The SNP ABI ECDSA P-384 signature structure (0x200 bytes): R at 0x00 and S at 0x48, each 72 bytes
 * little-endian, then reserved zeros. Used in ID_AUTH_INFO and in attestation reports.
 */
public record SnpSignature(BigInteger r, BigInteger s) {
    public static final int SIZE = 0x200;
    static final int COMPONENT = 72;
    static final int P384_BYTES = 48;

    /** From the JCE {@code SHA384withECDSAinP1363Format} form: 96 bytes, R then S, big-endian. */
    public static SnpSignature fromP1363(byte[] rs) {
        if (rs.length != 2 * P384_BYTES) throw new IllegalArgumentException("P-384 P1363 signature must be 96 bytes");
        return new SnpSignature(new BigInteger(1, java.util.Arrays.copyOfRange(rs, 0, P384_BYTES)),
                new BigInteger(1, java.util.Arrays.copyOfRange(rs, P384_BYTES, 2 * P384_BYTES)));
    }

    public byte[] toP1363() {
        byte[] out = new byte[2 * P384_BYTES];
        System.arraycopy(LittleEndian.toBigEndian(r, P384_BYTES), 0, out, 0, P384_BYTES);
        System.arraycopy(LittleEndian.toBigEndian(s, P384_BYTES), 0, out, P384_BYTES, P384_BYTES);
        return out;
    }

    public byte[] toBytes() {
        byte[] out = new byte[SIZE];
        LittleEndian.put(out, 0, r, COMPONENT);
        LittleEndian.put(out, COMPONENT, s, COMPONENT);
        return out;
    }

    /** Reads the structure at {@code off}; R and S must fit 48 bytes (P-384). */
    public static SnpSignature read(byte[] data, int off) {
        if (data.length < off + SIZE) throw new RecipeException("SNP signature: need " + SIZE + " bytes at offset " + off + ", have " + (data.length - off));
        BigInteger r = LittleEndian.get(data, off, COMPONENT);
        BigInteger s = LittleEndian.get(data, off + COMPONENT, COMPONENT);
        if (r.bitLength() > 384 || s.bitLength() > 384) throw new RecipeException("SNP signature: R or S is wider than 384 bits");
        return new SnpSignature(r, s);
    }

    static final class LittleEndian {
        private LittleEndian() {}

        static void put(byte[] out, int off, BigInteger v, int width) {
            byte[] be = toBigEndian(v, width);
            for (int i = 0; i < width; i++) out[off + i] = be[width - 1 - i];
        }

        static BigInteger get(byte[] in, int off, int width) {
            byte[] be = new byte[width];
            for (int i = 0; i < width; i++) be[i] = in[off + width - 1 - i];
            return new BigInteger(1, be);
        }

        static byte[] toBigEndian(BigInteger v, int width) {
            byte[] raw = v.toByteArray();
            int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
            int len = raw.length - start;
            if (len > width) throw new IllegalArgumentException("value wider than " + width + " bytes");
            byte[] out = new byte[width];
            System.arraycopy(raw, start, out, width - len, len);
            return out;
        }
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
