package dev.sealwright.kbs;

import org.bouncycastle.util.BigIntegers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/**
 * A secret encrypted to a TEE public key (ECIES-style, documented in docs/kbs.md): the broker makes
 * an ephemeral P-256 key; Z = X coordinate of ECDH(ephemeral, TEE key); K = HKDF-SHA256(IKM Z,
 * salt = nonce, info = "sealwright-kbs/v1 " ‖ resource) → 32 bytes; AES-256-GCM with a random
 * 12-byte IV, AAD = resource, ciphertext ‖ 16-byte tag. Public keys are uncompressed SEC1 points
 * (65 bytes, 0x04 ‖ X ‖ Y). {@link #seal} and {@link #open} are symmetric. The EC arithmetic is Bouncy
 * Castle's constant-time P-256 implementation (several times faster than the JDK's for key
 * generation and ECDH, which dominate a grant).
 */
public record SecretEnvelope(byte[] ephemeralKey, byte[] iv, byte[] ciphertext) {
    public static final String INFO_PREFIX = "sealwright-kbs/v1 ";
    public static final int POINT_SIZE = 65;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ECParameterSpec P256 = p256();
    private static final X9ECParameters X9 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(X9.getCurve(), X9.getG(), X9.getN(), X9.getH());

    public static SecretEnvelope seal(byte[] teePublicKey, byte[] nonce, String resource, byte[] secret) {
        try {
            AsymmetricCipherKeyPair eph = generate();
            byte[] key = derive((ECPrivateKeyParameters) eph.getPrivate(), bcPoint(teePublicKey), nonce, resource);
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(resource.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(secret);
            Arrays.fill(key, (byte) 0);
            return new SecretEnvelope(((ECPublicKeyParameters) eph.getPublic()).getQ().getEncoded(false), iv, ct);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /** Decrypts with the TEE private key (what the guest client does); throws on any tampering. */
    public byte[] open(PrivateKey teeKey, byte[] nonce, String resource) throws GeneralSecurityException {
        var d = new ECPrivateKeyParameters(((java.security.interfaces.ECPrivateKey) teeKey).getS(), DOMAIN);
        ECPublicKeyParameters peer;
        try {
            peer = bcPoint(ephemeralKey);
        } catch (IllegalArgumentException e) {
            throw new java.security.InvalidKeyException("broker ephemeral key: " + e.getMessage());
        }
        byte[] key = derive(d, peer, nonce, resource);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(resource.getBytes(StandardCharsets.UTF_8));
        return c.doFinal(ciphertext);
    }

    private static byte[] derive(ECPrivateKeyParameters own, ECPublicKeyParameters peer, byte[] nonce, String resource) {
        var ka = new ECDHBasicAgreement();
        ka.init(own);
        byte[] z = new byte[32];
        BigIntegers.asUnsignedByteArray(ka.calculateAgreement(peer), z, 0, 32);
        var hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(z, nonce, (INFO_PREFIX + resource).getBytes(StandardCharsets.UTF_8)));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, key.length);
        Arrays.fill(z, (byte) 0);
        return key;
    }

    /** A fresh P-256 key pair (JCA objects, for callers playing the TEE side). */
    public static KeyPair newKeyPair() {
        AsymmetricCipherKeyPair k = generate();
        try {
            var f = KeyFactory.getInstance("EC");
            var q = ((ECPublicKeyParameters) k.getPublic()).getQ().normalize();
            PublicKey pub = f.generatePublic(new ECPublicKeySpec(new ECPoint(q.getAffineXCoord().toBigInteger(),
                    q.getAffineYCoord().toBigInteger()), P256));
            PrivateKey priv = f.generatePrivate(new java.security.spec.ECPrivateKeySpec(((ECPrivateKeyParameters) k.getPrivate()).getD(), P256));
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AsymmetricCipherKeyPair generate() {
        var g = new ECKeyPairGenerator();
        g.init(new ECKeyGenerationParameters(DOMAIN, RANDOM));
        return g.generateKeyPair();
    }

    /** An uncompressed point as Bouncy Castle parameters; decodePoint rejects points off the curve. */
    private static ECPublicKeyParameters bcPoint(byte[] point) {
        if (point == null || point.length != POINT_SIZE || point[0] != 4) {
            throw new IllegalArgumentException("not an uncompressed P-256 point (65 bytes starting 04)");
        }
        try {
            return new ECPublicKeyParameters(DOMAIN.getCurve().decodePoint(point), DOMAIN);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("point is not on the P-256 curve");
        }
    }

    /** Uncompressed SEC1 encoding of a P-256 public key. */
    public static byte[] encodePoint(PublicKey key) {
        ECPoint w = ((ECPublicKey) key).getW();
        byte[] out = new byte[POINT_SIZE];
        out[0] = 4;
        BigIntegers.asUnsignedByteArray(w.getAffineX(), out, 1, 32);
        BigIntegers.asUnsignedByteArray(w.getAffineY(), out, 33, 32);
        return out;
    }

    /** Parses an uncompressed P-256 point; rejects other lengths, encodings and points off the curve. */
    public static PublicKey decodePoint(byte[] point) {
        if (point == null || point.length != POINT_SIZE || point[0] != 4) {
            throw new IllegalArgumentException("not an uncompressed P-256 point (65 bytes starting 04)");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 33));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 33, 65));
        var curve = P256.getCurve();
        BigInteger p = ((java.security.spec.ECFieldFp) curve.getField()).getP();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0
                || !y.multiply(y).subtract(x.pow(3).add(curve.getA().multiply(x)).add(curve.getB())).mod(p).equals(BigInteger.ZERO)) {
            throw new IllegalArgumentException("point is not on the P-256 curve");
        }
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a P-256 public key: " + e.getMessage());
        }
    }

    private static ECParameterSpec p256() {
        try {
            var params = java.security.AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
