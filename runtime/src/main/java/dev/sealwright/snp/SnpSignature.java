package dev.sealwright.snp;

import dev.sealwright.base.RecipeException;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * The SNP ABI ECDSA P-384 signature structure (0x200 bytes): R at 0x00 and S at 0x48, each 72 bytes
 * little-endian, then reserved zeros. Used in ID_AUTH_INFO and in attestation reports.
 */
public record SnpSignature(BigInteger r, BigInteger s) {
    public static final int SIZE = 0x200;
    private static final String ALGORITHM = "SHA384withECDSAinP1363Format";
    public static final int COMPONENT = 72;
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

    /**
     * ECDSA P-384 over SHA-384(message) with RFC 6979 deterministic nonces, so the same ID block and keys
     * always give the same ID auth bytes (any ECDSA verifier accepts them; the nonce is not visible).
     */
    public static SnpSignature sign(PrivateKey key, byte[] message) {
        if (!(key instanceof ECPrivateKey ec)) throw new RecipeException("SNP signing needs an EC P-384 private key, got " + key.getAlgorithm());
        X9ECParameters curve = CustomNamedCurves.getByName("secp384r1");
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA384Digest()));
        signer.init(true, new ECPrivateKeyParameters(ec.getS(), new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH())));
        SHA384Digest sha = new SHA384Digest();
        sha.update(message, 0, message.length);
        byte[] hash = new byte[sha.getDigestSize()];
        sha.doFinal(hash, 0);
        BigInteger[] rs = signer.generateSignature(hash);
        return new SnpSignature(rs[0], rs[1]);
    }

    public static boolean verify(ECPublicKey key, byte[] message, SnpSignature sig) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(sig.toP1363());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Fixed-width little-endian integers of the SNP ABI structures. */
    public static final class LittleEndian {
        private LittleEndian() {}

        public static void put(byte[] out, int off, BigInteger v, int width) {
            byte[] be = toBigEndian(v, width);
            for (int i = 0; i < width; i++) out[off + i] = be[width - 1 - i];
        }

        public static BigInteger get(byte[] in, int off, int width) {
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

    public static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
