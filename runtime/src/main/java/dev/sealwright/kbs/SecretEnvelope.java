package dev.sealwright.kbs;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.util.BigIntegers;

import javax.crypto.AEADBadTagException;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/**
 * A secret sealed to a TEE public key with HPKE (RFC 9180), base mode, suite
 * DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, through Bouncy Castle's
 * {@code org.bouncycastle.crypto.hpke}. {@code info} binds the protocol version, the resource and
 * the nonce ({@link #info}); the AAD is empty; one message per context (sequence number 0).
 * {@code enc} is the broker's ephemeral public key (65-byte uncompressed point), {@code ciphertext}
 * the AES-GCM ciphertext ‖ 16-byte tag. The guest's C {@code kbs-client} implements the same suite
 * on OpenSSL primitives (native-helpers/src/kbs-client/hpke.h). Layout in docs/kbs.md.
 */
public record SecretEnvelope(byte[] enc, byte[] ciphertext) {
    /** The protocol version, named in every request and reply and as the first bytes of {@code info}. */
    public static final String PROTOCOL = "sealwright-kbs/2";
    public static final int POINT_SIZE = 65;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ECParameterSpec P256 = p256();
    private static final X9ECParameters X9 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(X9.getCurve(), X9.getG(), X9.getN(), X9.getH());

    /** {@code info} = "sealwright-kbs/2" ‖ I2OSP(len(resource), 2) ‖ resource (UTF-8) ‖ nonce. */
    public static byte[] info(String resource, byte[] nonce) {
        byte[] r = resource.getBytes(StandardCharsets.UTF_8);
        if (r.length > 0xffff) {
            throw new IllegalArgumentException("resource name longer than 65535 bytes");
        }
        var out = new ByteArrayOutputStream();
        out.writeBytes(PROTOCOL.getBytes(StandardCharsets.US_ASCII));
        out.write(r.length >> 8);
        out.write(r.length & 0xff);
        out.writeBytes(r);
        out.writeBytes(nonce);
        return out.toByteArray();
    }

    /** Seals {@code secret} for the holder of {@code teePublicKey}, bound to the resource and nonce. */
    public static SecretEnvelope seal(byte[] teePublicKey, byte[] nonce, String resource, byte[] secret) {
        return sealBase(teePublicKey, info(resource, nonce), new byte[0], secret);
    }

    /** Decrypts with the TEE private key (what the guest client does); throws on any tampering. */
    public byte[] open(PrivateKey teeKey, byte[] nonce, String resource) throws GeneralSecurityException {
        return openBase(teeKey, enc, info(resource, nonce), new byte[0], ciphertext);
    }

    /** RFC 9180 SealBase for this suite with a fresh ephemeral key: one message at sequence number 0. */
    public static SecretEnvelope sealBase(byte[] recipientPublicKey, byte[] info, byte[] aad, byte[] plaintext) {
        bcPoint(recipientPublicKey);
        HPKE hpke = suite();
        try {
            var ctx = hpke.setupBaseS(hpke.deserializePublicKey(recipientPublicKey), info);
            return new SecretEnvelope(ctx.getEncapsulation(), ctx.seal(aad, plaintext));
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("HPKE sealing failed", e);
        }
    }

    /** RFC 9180 OpenBase for this suite; a wrong key, info, AAD or a changed byte is an {@link AEADBadTagException}. */
    public static byte[] openBase(PrivateKey recipient, byte[] enc, byte[] info, byte[] aad, byte[] ciphertext)
            throws GeneralSecurityException {
        try {
            bcPoint(enc);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException("HPKE enc (the broker's ephemeral key): " + e.getMessage());
        }
        HPKE hpke = suite();
        BigInteger d = ((ECPrivateKey) recipient).getS();
        byte[] pk = DOMAIN.getG().multiply(d).normalize().getEncoded(false);
        byte[] sk = BigIntegers.asUnsignedByteArray(32, d);
        try {
            AsymmetricCipherKeyPair skR = hpke.deserializePrivateKey(sk, pk);
            return hpke.setupBaseR(enc, skR, info).open(aad, ciphertext);
        } catch (InvalidCipherTextException e) {
            throw new AEADBadTagException("sealed secret does not authenticate (wrong key, nonce or resource, or tampered)");
        } finally {
            Arrays.fill(sk, (byte) 0);
        }
    }

    private static HPKE suite() {
        return new HPKE(HPKE.mode_base, HPKE.kem_P256_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
    }

    /** A fresh P-256 key pair (JCA objects, for callers playing the TEE side). */
    public static KeyPair newKeyPair() {
        var g = new ECKeyPairGenerator();
        g.init(new ECKeyGenerationParameters(DOMAIN, RANDOM));
        AsymmetricCipherKeyPair k = g.generateKeyPair();
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
        var q = bcPoint(point).getQ();
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                    new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), P256));
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
