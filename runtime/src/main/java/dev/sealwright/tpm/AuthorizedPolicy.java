package dev.sealwright.tpm;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signing an approved policy for TPM2_PolicyAuthorize (TPM 2.0 Part 3, 23.16): the TPM verifies a
 * signature over aHash = H(approvedPolicy ‖ policyRef) with TPM2_VerifySignature, and PolicyAuthorize
 * then replaces the session digest with PolicyAuthorize(keySign Name, policyRef). RSASSA-PKCS1-v1_5
 * with SHA-256, as systemd-measure and {@code openssl dgst -sha256 -sign} produce.
 */
public final class AuthorizedPolicy {
    private AuthorizedPolicy() {}

    /** The raw RSASSA signature ({@code tpm2_verifysignature -f rsassa -s}). */
    public static byte[] signRsa(PrivateKey key, byte[] approvedPolicy, byte[] policyRef) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(approvedPolicy);
            s.update(policyRef);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new TpmFormatException("cannot sign the approved policy with this key: " + e.getMessage());
        }
    }
}
