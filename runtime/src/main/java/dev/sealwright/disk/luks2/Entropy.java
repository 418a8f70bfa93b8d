package dev.sealwright.disk.luks2;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Where salts, keys and AF stripes come from: the system's SecureRandom, or (for reproducible
 * builds and tests only) a deterministic SHA-256 counter stream from a seed.
 */
public interface Entropy {
    void fill(byte[] out);

    default byte[] bytes(int n) {
        byte[] b = new byte[n];
        fill(b);
        return b;
    }

    static Entropy secure() {
        SecureRandom rnd = new SecureRandom();
        return rnd::nextBytes;
    }

    /** Same seed → same bytes. Never use for real secrets. */
    static Entropy deterministic(byte[] seed) {
        return new Entropy() {
            private long counter;

            @Override
            public synchronized void fill(byte[] out) {
                try {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    for (int pos = 0; pos < out.length; pos += 32) {
                        md.update(seed);
                        md.update(ByteBuffer.allocate(8).putLong(counter++).array());
                        byte[] h = md.digest();
                        System.arraycopy(h, 0, out, pos, Math.min(32, out.length - pos));
                    }
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
