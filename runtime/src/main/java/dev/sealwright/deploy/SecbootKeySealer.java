package dev.sealwright.deploy;

import org.bouncycastle.util.BigIntegers;
import dev.sealwright.tpm.EccPoint;
import dev.sealwright.tpm.OfflineSeal;
import dev.sealwright.tpm.PcrSelection;
import dev.sealwright.tpm.PolicyDigest;
import dev.sealwright.tpm.PublicParameters;
import dev.sealwright.tpm.SymDefObject;
import dev.sealwright.tpm.TpmAlg;
import dev.sealwright.tpm.TpmHash;
import dev.sealwright.tpm.TpmPublic;
import dev.sealwright.tpm.TpmScheme;
import dev.sealwright.tpm.TpmWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;

/**
 * secboot's legacy SealKeyToExternalTPMStorageKey, as encrypt-cloud-image deploy calls it with no PCR
 * policy counter: a fresh ECDSA P-256 key authorises PCR policies. The sealed object (attributes 0,
 * empty auth) holds {TPM2B key ‖ TPM2B auth private scalar} under the static policy
 * PolicyAuthorize(Name(auth key), policyRef = SHA-256("AUTH-PCR-POLICY" ‖ TPM_RH_NULL)) ‖ PolicyAuthValue.
 * The approved (signed) policy is PolicyPCR(selection, pcrDigest) followed by a PolicyOR over that
 * branch twice (a one-branch OR tree). Unsealing runs PolicyPCR, PolicyOR, VerifySignature,
 * PolicyAuthorize, PolicyAuthValue.
 */
public final class SecbootKeySealer {
    static final int SEALED_ATTRIBUTES = 0;
    static final int AUTH_KEY_ATTRIBUTES = TpmPublic.USER_WITH_AUTH | TpmPublic.SIGN;
    /** MAX_SYM_DATA (128) minus the two u16 sizes and the 32-byte auth key. */
    public static final int MAX_KEY = OfflineSeal.MAX_SECRET - 2 - 2 - 32;

    private SecbootKeySealer() {}

    /** SHA-256("AUTH-PCR-POLICY" ‖ name of the PCR policy counter); no counter = the 4-byte handle TPM_RH_NULL. */
    public static byte[] pcrPolicyRef() {
        return TpmHash.SHA256.digest("AUTH-PCR-POLICY".getBytes(StandardCharsets.US_ASCII), new TpmWriter().u32(SecbootSealedKeyFile.HANDLE_NULL).toBytes());
    }

    public static SecbootSealedKeyFile seal(TpmPublic srk, byte[] key, PcrSelection selection, byte[] pcrDigest, SecureRandom random) {
        KeyPair authKey = generateP256(random);
        TpmPublic authPublic = tpmPublic((ECPublicKey) authKey.getPublic());
        byte[] policyRef = pcrPolicyRef();
        byte[] staticPolicy = new PolicyDigest(TpmHash.SHA256).authorize(authPublic.name(), policyRef).authValue().digest();
        byte[] scalar = BigIntegers.asUnsignedByteArray(32, ((ECPrivateKey) authKey.getPrivate()).getS());
        byte[] sealedData = new TpmWriter().sized(key).sized(scalar).toBytes();
        OfflineSeal.SealedBlob blob;
        try {
            blob = OfflineSeal.seal(srk, sealedData, staticPolicy, SEALED_ATTRIBUTES, random);
        } finally {
            Arrays.fill(sealedData, (byte) 0);
            Arrays.fill(scalar, (byte) 0);
        }
        byte[] branch = new PolicyDigest(TpmHash.SHA256).pcr(selection, pcrDigest).digest();
        byte[] approved = new PolicyDigest(TpmHash.SHA256).or(List.of(branch, branch)).digest();
        byte[] signature = sign(authKey, approved, policyRef);
        return new SecbootSealedKeyFile(blob.duplicate(), blob.sealedPublic(), blob.seed(), authPublic, SecbootSealedKeyFile.HANDLE_NULL,
                new byte[0], selection, List.of(new SecbootSealedKeyFile.OrNode(0, List.of(branch, branch))), 0,
                approved, TpmAlg.SHA256, Arrays.copyOfRange(signature, 0, 32), Arrays.copyOfRange(signature, 32, 64));
    }

    /** The external ECC P-256 signing key as TPMT_PUBLIC (nameAlg SHA-256, userWithAuth|sign, NULL scheme). */
    static TpmPublic tpmPublic(ECPublicKey pub) {
        EccPoint point = new EccPoint(BigIntegers.asUnsignedByteArray(32, pub.getW().getAffineX()), BigIntegers.asUnsignedByteArray(32, pub.getW().getAffineY()));
        return new TpmPublic(TpmAlg.SHA256, AUTH_KEY_ATTRIBUTES, new byte[0],
                new PublicParameters.Ecc(SymDefObject.NULL, TpmScheme.NULL, TpmAlg.ECC_NIST_P256, TpmScheme.NULL, point));
    }

    private static KeyPair generateP256(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA P-256 unavailable", e);
        }
    }

    /** ECDSA-SHA256 over aHash = H(approvedPolicy ‖ policyRef), as r ‖ s (32 bytes each). */
    private static byte[] sign(KeyPair key, byte[] approved, byte[] policyRef) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key.getPrivate());
            s.update(approved);
            s.update(policyRef);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA P-256 signing unavailable", e);
        }
    }
}
