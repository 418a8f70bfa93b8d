package dev.sealwright.tpm;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The TPM hash algorithms, with their TPM_ALG_ID, digest size and JCE names. */
public enum TpmHash {
    SHA1(TpmAlg.SHA1, 20, 64, "SHA-1", "HmacSHA1"),
    SHA256(TpmAlg.SHA256, 32, 64, "SHA-256", "HmacSHA256"),
    SHA384(TpmAlg.SHA384, 48, 128, "SHA-384", "HmacSHA384"),
    SHA512(TpmAlg.SHA512, 64, 128, "SHA-512", "HmacSHA512");

    public final int algId;
    public final int digestSize;
    public final int blockSize;
    private final String jce;
    private final String hmac;

    TpmHash(int algId, int digestSize, int blockSize, String jce, String hmac) {
        this.algId = algId;
        this.digestSize = digestSize;
        this.blockSize = blockSize;
        this.jce = jce;
        this.hmac = hmac;
    }

    /** The name tpm2-tools and the PCR JSON use: sha1, sha256, sha384, sha512. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String jceName() {
        return jce;
    }

    public static TpmHash fromAlgId(int alg) {
        for (TpmHash h : values()) if (h.algId == alg) return h;
        throw new TpmFormatException("unsupported hash algorithm " + TpmAlg.name(alg));
    }

    public static TpmHash fromLabel(String label) {
        for (TpmHash h : values()) if (h.label().equals(label.toLowerCase(Locale.ROOT))) return h;
        throw new TpmFormatException("unknown PCR bank / hash '" + label + "' (expected sha1, sha256, sha384 or sha512)");
    }

    public byte[] digest(byte[]... parts) {
        MessageDigest md = messageDigest();
        for (byte[] p : parts) md.update(p);
        return md.digest();
    }

    public MessageDigest messageDigest() {
        try {
            return MessageDigest.getInstance(jce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jce + " missing from the JDK", e);
        }
    }

    public byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            for (byte[] p : parts) mac.update(p);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " unavailable", e);
        }
    }
}
