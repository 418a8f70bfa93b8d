package dev.sealwright.disk.luks2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-XTS with the "plain64" IV (IEEE 1619; dm-crypt's aes-xts-plain64), built on the JDK's
 * "AES/ECB/NoPadding" so the AES-NI intrinsics do the block work. A buffer is processed in slices
 * of up to 64 KiB that stay in the CPU cache, each with two bulk Cipher calls: one for the slice's
 * sector tweaks, then XOR / ECB / XOR. Small slices also make the slice method hot enough for the
 * optimising JIT early (one 8 MiB call per chunk left a long-lived JVM running interpreted loops).
 * Sector sizes are multiples of 16, so ciphertext stealing never occurs. Not thread-safe (like
 * Cipher): use one instance per thread; work buffers are reused between calls.
 */
public final class AesXts {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SLICE = 64 << 10;
    private final Cipher dataEnc;
    private final Cipher dataDec;
    private final Cipher tweakEnc;
    private byte[] tweaks = new byte[0];  // reused between calls: one instance per thread
    private byte[] blocks = new byte[0];

    /** {@code key} is K1 ‖ K2: 32 bytes (AES-128) or 64 bytes (AES-256). */
    public AesXts(byte[] key) {
        if (key.length != 32 && key.length != 64 && key.length != 48)
            throw new IllegalArgumentException("aes-xts key must be 32, 48 or 64 bytes, not " + key.length);
        int half = key.length / 2;
        try {
            SecretKeySpec k1 = new SecretKeySpec(Arrays.copyOfRange(key, 0, half), "AES");
            SecretKeySpec k2 = new SecretKeySpec(Arrays.copyOfRange(key, half, key.length), "AES");
            dataEnc = Cipher.getInstance("AES/ECB/NoPadding");
            dataEnc.init(Cipher.ENCRYPT_MODE, k1);
            dataDec = Cipher.getInstance("AES/ECB/NoPadding");
            dataDec.init(Cipher.DECRYPT_MODE, k1);
            tweakEnc = Cipher.getInstance("AES/ECB/NoPadding");
            tweakEnc.init(Cipher.ENCRYPT_MODE, k2);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK AES unavailable", e);
        }
    }

    /**
     * Encrypts {@code len} bytes in place: sectors of {@code sectorSize} bytes; sector k uses the
     * plain64 IV {@code firstIv + k * ivStep}.
     */
    public void encrypt(byte[] buf, int off, int len, int sectorSize, long firstIv, long ivStep) {
        crypt(true, buf, off, len, sectorSize, firstIv, ivStep);
    }

    public void decrypt(byte[] buf, int off, int len, int sectorSize, long firstIv, long ivStep) {
        crypt(false, buf, off, len, sectorSize, firstIv, ivStep);
    }

    private void crypt(boolean encrypt, byte[] buf, int off, int len, int sectorSize, long firstIv, long ivStep) {
        if (sectorSize <= 0 || sectorSize % 16 != 0 || len % sectorSize != 0)
            throw new IllegalArgumentException("length " + len + " is not a whole number of " + sectorSize + "-byte sectors");
        int slice = Math.max(sectorSize, SLICE / sectorSize * sectorSize);
        for (int done = 0; done < len; done += slice) {
            int n = Math.min(slice, len - done);
            cryptSlice(encrypt, buf, off + done, n, sectorSize, firstIv + (long) (done / sectorSize) * ivStep, ivStep);
        }
    }

    private void cryptSlice(boolean encrypt, byte[] buf, int off, int len, int sectorSize, long firstIv, long ivStep) {
        int sectors = len / sectorSize;
        if (tweaks.length < sectors * 16) tweaks = new byte[sectors * 16];
        if (blocks.length < len) blocks = new byte[len];
        for (int s = 0; s < sectors; s++) {
            LONGS.set(tweaks, s * 16, firstIv + s * ivStep);
            LONGS.set(tweaks, s * 16 + 8, 0L);
        }
        try {
            tweakEnc.doFinal(tweaks, 0, sectors * 16, tweaks, 0);
            // pass 1: blocks = data XOR tweak; pass 2 (after ECB): data XOR the same tweak, recomputed
            // by doubling in GF(2^128) rather than stored, which saves a buffer's worth of memory traffic
            for (int s = 0; s < sectors; s++) {
                long lo = (long) LONGS.get(tweaks, s * 16), hi = (long) LONGS.get(tweaks, s * 16 + 8);
                int base = s * sectorSize;
                for (int b = base; b < base + sectorSize; b += 16) {
                    LONGS.set(blocks, b, (long) LONGS.get(buf, off + b) ^ lo);
                    LONGS.set(blocks, b + 8, (long) LONGS.get(buf, off + b + 8) ^ hi);
                    long carry = hi >> 63; // all ones when the top bit is set
                    hi = (hi << 1) | (lo >>> 63);
                    lo = (lo << 1) ^ (carry & 0x87);
                }
            }
            Cipher c = encrypt ? dataEnc : dataDec;
            c.doFinal(blocks, 0, len, buf, off); // distinct arrays: no defensive copy inside the provider
            for (int s = 0; s < sectors; s++) {
                long lo = (long) LONGS.get(tweaks, s * 16), hi = (long) LONGS.get(tweaks, s * 16 + 8);
                int base = off + s * sectorSize;
                for (int b = base; b < base + sectorSize; b += 16) {
                    LONGS.set(buf, b, (long) LONGS.get(buf, b) ^ lo);
                    LONGS.set(buf, b + 8, (long) LONGS.get(buf, b + 8) ^ hi);
                    long carry = hi >> 63;
                    hi = (hi << 1) | (lo >>> 63);
                    lo = (lo << 1) ^ (carry & 0x87);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed", e);
        }
    }
}
