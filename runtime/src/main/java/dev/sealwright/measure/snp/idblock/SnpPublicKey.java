package dev.sealwright.measure.snp.idblock;

import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.snp.LaunchDigest;
import dev.sealwright.snp.SnpSignature;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;

/**
 * The SNP ABI public key structure (0x404 bytes): CURVE u32 (2 = P-384), QX and QY 72 bytes little-endian
 * each, reserved zeros. Its SHA-384 is the ID/author key digest that appears in attestation reports.
 */
public record SnpPublicKey(BigInteger x, BigInteger y) {
    public static final int SIZE = 0x404;
    public static final int CURVE_P384 = 2;

    public static SnpPublicKey of(ECPublicKey key) {
        if (key.getParams().getCurve().getField().getFieldSize() != 384) throw new RecipeException("SNP keys must be on curve P-384");
        return new SnpPublicKey(key.getW().getAffineX(), key.getW().getAffineY());
    }

    public byte[] toBytes() {
        byte[] out = new byte[SIZE];
        SnpSignature.le(out).putInt(0, CURVE_P384);
        SnpSignature.LittleEndian.put(out, 4, x, SnpSignature.COMPONENT);
        SnpSignature.LittleEndian.put(out, 4 + SnpSignature.COMPONENT, y, SnpSignature.COMPONENT);
        return out;
    }

    public static SnpPublicKey read(byte[] data, int off) {
        if (data.length < off + SIZE) throw new RecipeException("SNP public key: need " + SIZE + " bytes at offset " + off);
        int curve = SnpSignature.le(data).getInt(off);
        if (curve != CURVE_P384) throw new RecipeException("SNP public key: curve " + curve + " is not P-384 (2)");
        return new SnpPublicKey(SnpSignature.LittleEndian.get(data, off + 4, SnpSignature.COMPONENT),
                SnpSignature.LittleEndian.get(data, off + 4 + SnpSignature.COMPONENT, SnpSignature.COMPONENT));
    }

    /** SHA-384 of the 0x404-byte structure (ID_KEY_DIGEST / AUTHOR_KEY_DIGEST). */
    public byte[] digest() {
        return LaunchDigest.sha384(toBytes());
    }

    public ECPublicKey toJce() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp384r1"));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
        } catch (java.security.GeneralSecurityException e) {
            throw new RecipeException("SNP public key is not a valid P-384 point: " + e.getMessage(), e);
        }
    }
}
