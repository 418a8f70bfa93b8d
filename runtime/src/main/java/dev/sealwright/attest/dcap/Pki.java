package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** X.509 and ECDSA plumbing over the JCE (certificates, CRLs, raw r‖s P-256 signatures). */
final class Pki {
    private static final ECParameterSpec P256;
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    static {
        try {
            var params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            P256 = params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks P-256", e);
        }
    }

    private Pki() {
    }

    /** Parsed certificates and CRLs by content: the same platform's chain and collateral recur across quotes. */
    private static final int PARSED_MAX = 256;
    private static final java.util.Map<java.nio.ByteBuffer, Object> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    private static <T> T parsed(byte[] bytes, java.util.function.Supplier<T> parse) {
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(bytes.clone());
        Object hit = PARSED.get(key);
        if (hit != null) return (T) hit;
        T value = parse.get();
        if (PARSED.size() >= PARSED_MAX) PARSED.clear();
        PARSED.put(key, value);
        return value;
    }

    static List<X509Certificate> pemChain(byte[] pem, String source) {
        return parsed(pem, () -> List.copyOf(parsePemChain(pem, source)));
    }

    private static List<X509Certificate> parsePemChain(byte[] pem, String source) {
        try {
            var out = new ArrayList<X509Certificate>();
            for (var c : factory().generateCertificates(new ByteArrayInputStream(trimNul(pem)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new RecipeException(source + ": no PEM certificate found");
            }
            return out;
        } catch (CertificateException e) {
            throw new RecipeException(source + ": not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    static List<X509Certificate> pemChain(String pem, String source) {
        return pemChain(pem.getBytes(StandardCharsets.US_ASCII), source);
    }

    static X509CRL crl(byte[] der, String source) {
        return parsed(der, () -> parseCrl(der, source));
    }

    private static X509CRL parseCrl(byte[] der, String source) {
        try {
            return (X509CRL) factory().generateCRL(new ByteArrayInputStream(der));
        } catch (CertificateException | java.security.cert.CRLException e) {
            throw new RecipeException(source + ": not a DER CRL: " + e.getMessage(), e);
        }
    }

    /** Some producers NUL-terminate the PEM chain inside the quote. */
    private static byte[] trimNul(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    private static CertificateFactory factory() throws CertificateException {
        return CertificateFactory.getInstance("X.509");
    }

    /** P-256 public key from the 64-byte X‖Y encoding DCAP uses for the attestation key. */
    static PublicKey p256Key(byte[] xy) {
        try {
            var point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(xy, 0, 32)),
                    new BigInteger(1, Arrays.copyOfRange(xy, 32, 64)));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, P256));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /**
     * ECDSA-SHA256 verification of a raw 64-byte r‖s signature (false on any malformed input), with
     * Bouncy Castle's EC arithmetic (several times faster than the JDK 17 SunEC provider's).
     */
    static boolean verifyRaw(PublicKey key, byte[] data, byte[] rs) {
        if (key == null || rs.length != 64) {
            return false;
        }
        try {
            var signer = new ECDSASigner();
            signer.init(false, ECUtil.generatePublicKeyParameter(key));
            return signer.verifySignature(sha256(data), new BigInteger(1, Arrays.copyOfRange(rs, 0, 32)),
                    new BigInteger(1, Arrays.copyOfRange(rs, 32, 64)));
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey(), BC);
            return cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        } catch (GeneralSecurityException | IllegalArgumentException e) { // Bouncy Castle: "Point not on curve"
            return false;
        }
    }

    static boolean signedBy(X509CRL crl, X509Certificate issuer) {
        try {
            crl.verify(issuer.getPublicKey(), BC);
            return crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        } catch (GeneralSecurityException | IllegalArgumentException e) { // Bouncy Castle: "Point not on curve"
            return false;
        }
    }

    static String commonName(X509Certificate cert) {
        for (var rdn : cert.getSubjectX500Principal().getName("RFC2253").split(",(?=[A-Z]+=)")) {
            if (rdn.startsWith("CN=")) {
                return rdn.substring(3); // quoted in errors: RecipeException escapes its control characters
            }
        }
        return "";
    }

    static byte[] sha256(byte[]... parts) {
        try {
            var md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
