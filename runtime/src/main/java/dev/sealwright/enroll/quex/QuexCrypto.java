package dev.sealwright.enroll.quex;

import dev.sealwright.base.RecipeException;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The quex response crypto: secp256k1 ECDH between the vault's ephemeral key and the TD's
 * (REPORTDATA) key, IKM = 0x04‖vault_pub ‖ 0x04‖shared_point, HKDF-SHA256 with salt "quex_salt"
 * and empty info to 32 bytes, AES-128-GCM with the first 16, no AAD, over the 32-byte TD key.
 */
public final class QuexCrypto {
    static final X9ECParameters SECP256K1 = CustomNamedCurves.getByName("secp256k1");
    private static final byte[] SALT = "quex_salt".getBytes(StandardCharsets.US_ASCII);

    private QuexCrypto() {}

    /** Raw X‖Y (64 bytes) of d·G. */
    public static byte[] publicKey(byte[] privateKey) {
        return raw(SECP256K1.getG().multiply(scalar(privateKey)).normalize());
    }

    /** A fresh private scalar in [1, n). */
    public static byte[] newPrivateKey(SecureRandom random) {
        BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, SECP256K1.getN().subtract(BigInteger.ONE), random);
        return BigIntegers.asUnsignedByteArray(32, d);
    }

    /** Decrypts a vault response with the TD's ephemeral private key: the 32-byte TD secret key. */
    public static byte[] decrypt(byte[] tdPrivateKey, TdResponseMessage msg) {
        byte[] key = aesKey(msg.vaultPublicKey(), point(msg.vaultPublicKey()).multiply(scalar(tdPrivateKey)).normalize());
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, msg.iv()));
            byte[] in = new byte[48];
            System.arraycopy(msg.encryptedKey(), 0, in, 0, 32);
            System.arraycopy(msg.tag(), 0, in, 32, 16);
            return c.doFinal(in);
        } catch (AEADBadTagException e) {
            throw new RecipeException("quex response does not decrypt: GCM tag mismatch (wrong TD key or tampered response)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encrypts {@code secret} (32 bytes) to the TD public key; returns the 128-byte ciphertext fields in a response. */
    public static TdResponseMessage encrypt(byte[] vaultPrivateKey, byte[] tdPublicKey, byte[] secret, byte[] iv, byte[] mask, byte[] report) {
        if (secret.length != 32 || iv.length != 12) throw new IllegalArgumentException("secret is 32 bytes, IV 12");
        byte[] vaultPub = publicKey(vaultPrivateKey);
        byte[] key = aesKey(vaultPub, point(tdPublicKey).multiply(scalar(vaultPrivateKey)).normalize());
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            byte[] out = c.doFinal(secret);
            return new TdResponseMessage(mask, report, vaultPub, iv, Arrays.copyOfRange(out, 32, 48), Arrays.copyOf(out, 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] aesKey(byte[] vaultPub, ECPoint shared) {
        byte[] ikm = new byte[130];
        ikm[0] = 4;
        System.arraycopy(vaultPub, 0, ikm, 1, 64);
        ikm[65] = 4;
        System.arraycopy(raw(shared), 0, ikm, 66, 64);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, SALT, new byte[0]));
        byte[] okm = new byte[32];
        hkdf.generateBytes(okm, 0, 32);
        return Arrays.copyOf(okm, 16);
    }

    static ECPoint point(byte[] xy) {
        if (xy.length != 64) throw new RecipeException("a secp256k1 public key is 64 bytes X‖Y, got " + xy.length);
        byte[] enc = new byte[65];
        enc[0] = 4;
        System.arraycopy(xy, 0, enc, 1, 64);
        try {
            ECPoint p = SECP256K1.getCurve().decodePoint(enc);
            if (!p.isValid()) throw new IllegalArgumentException();
            return p;
        } catch (IllegalArgumentException e) {
            throw new RecipeException("public key is not a point on secp256k1");
        }
    }

    static BigInteger scalar(byte[] d) {
        BigInteger k = new BigInteger(1, d);
        if (k.signum() == 0 || k.compareTo(SECP256K1.getN()) >= 0) throw new RecipeException("private key is not a valid secp256k1 scalar");
        return k;
    }

    private static byte[] raw(ECPoint p) {
        byte[] out = new byte[64];
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, p.getAffineXCoord().toBigInteger()), 0, out, 0, 32);
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, p.getAffineYCoord().toBigInteger()), 0, out, 32, 32);
        return out;
    }
}
