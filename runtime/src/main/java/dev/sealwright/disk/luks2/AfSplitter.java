package dev.sealwright.disk.luks2;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/** The LUKS anti-forensic splitter (LUKS1 spec §2.4, "luks1" af type): H1 diffusion with a hash. */
public final class AfSplitter {
    private AfSplitter() {}

    /** Splits {@code key} into {@code stripes} blocks; {@code random} fills the first stripes−1 blocks. */
    public static byte[] split(byte[] key, int stripes, String hash, Entropy random) {
        int n = key.length;
        byte[] out = new byte[n * stripes];
        byte[] d = new byte[n];
        byte[] block = new byte[n];
        for (int i = 0; i < stripes - 1; i++) {
            random.fill(block);
            System.arraycopy(block, 0, out, i * n, n);
            xorInto(d, block);
            diffuse(d, hash);
        }
        for (int j = 0; j < n; j++) out[(stripes - 1) * n + j] = (byte) (d[j] ^ key[j]);
        return out;
    }

    public static byte[] merge(byte[] split, int keySize, int stripes, String hash) {
        if (split.length < keySize * stripes) throw new IllegalArgumentException("AF material too short");
        byte[] d = new byte[keySize];
        byte[] block = new byte[keySize];
        for (int i = 0; i < stripes - 1; i++) {
            System.arraycopy(split, i * keySize, block, 0, keySize);
            xorInto(d, block);
            diffuse(d, hash);
        }
        byte[] key = new byte[keySize];
        for (int j = 0; j < keySize; j++) key[j] = (byte) (d[j] ^ split[(stripes - 1) * keySize + j]);
        return key;
    }

    private static void xorInto(byte[] d, byte[] s) {
        for (int j = 0; j < d.length; j++) d[j] ^= s[j];
    }

    /** H1: each digest-sized chunk i becomes H(u32 BE i ‖ chunk), the last one truncated. */
    private static void diffuse(byte[] d, String hash) {
        MessageDigest md = Luks2Kdf.digest(hash);
        int ds = md.getDigestLength();
        for (int i = 0, pos = 0; pos < d.length; i++, pos += ds) {
            int len = Math.min(ds, d.length - pos);
            md.update(ByteBuffer.allocate(4).putInt(i).array());
            md.update(d, pos, len);
            byte[] h = md.digest();
            System.arraycopy(h, 0, d, pos, len);
        }
    }
}
