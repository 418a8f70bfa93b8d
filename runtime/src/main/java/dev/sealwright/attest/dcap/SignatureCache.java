package dev.sealwright.attest.dcap;

import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers signatures over collateral, certificates and QE reports (PCK chain, CRLs, TCB info, QE identity,
 * the PCK's signature over the QE report) that already verified, keyed by SHA-256 of signer key (and issuer
 * name), signed bytes and signature: the same platform's chain, QE report and collateral recur across quotes.
 * Only successes are stored; validity windows, revocation, the attestation-key binding and the quote
 * signature itself are still checked every time. Bounded; cleared when full.
 */
final class SignatureCache {
    private static final int MAX = 4096;
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();

    boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        return cached(issuer.getPublicKey(), concat(issuer.getSubjectX500Principal().getEncoded(), Pki.encoded(cert)),
                () -> Pki.signedBy(cert, issuer));
    }

    boolean signedBy(X509CRL crl, X509Certificate issuer) {
        return cached(issuer.getPublicKey(), concat(issuer.getSubjectX500Principal().getEncoded(), encoded(crl)),
                () -> Pki.signedBy(crl, issuer));
    }

    boolean verifyRaw(PublicKey key, byte[] data, byte[] rs) {
        return cached(key, concat(data, rs), () -> Pki.verifyRaw(key, data, rs));
    }

    private boolean cached(PublicKey key, byte[] signed, java.util.function.BooleanSupplier check) {
        String k = Hex.of(Pki.sha256(key.getEncoded(), signed));
        if (verified.containsKey(k)) {
            return true;
        }
        boolean ok = check.getAsBoolean();
        if (ok) {
            if (verified.size() >= MAX) {
                verified.clear();
            }
            verified.put(k, Boolean.TRUE);
        }
        return ok;
    }

    private static byte[] encoded(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
