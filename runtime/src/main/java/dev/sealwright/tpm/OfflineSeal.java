package dev.sealwright.tpm;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a secret to a TPM storage key known only by its public area, without the TPM: a keyedHash
 * sealed-data object with {@code authPolicy} as its only authorisation, wrapped as a duplication blob
 * (outer wrapper only) for {@code tpm2_import}.
 *
 * <p>Outer wrapper (TPM 2.0 Part 1, 23.3.2): symKey = KDFa(parentNameAlg, seed, "STORAGE", Name, ∅,
 * parent sym keyBits); encSensitive = AES-CFB(symKey, IV 0, TPM2B_SENSITIVE); hmacKey =
 * KDFa(parentNameAlg, seed, "INTEGRITY", ∅, ∅, digest bits); outerHMAC = HMAC(hmacKey, encSensitive ‖ Name).
 */
public final class OfflineSeal {
    /** MAX_SYM_DATA: the largest sealed secret a TPM 2.0 (reference code ≥ rev 1.48) accepts. */
    public static final int MAX_SECRET = 128;

    /** Attributes of the sealed object: noDA only; userWithAuth clear (policy only), not fixedTPM/fixedParent (importable). */
    public static final int SEALED_ATTRIBUTES = TpmPublic.NO_DA;

    /** What {@code tpm2_import} takes: -u public, -i duplicate, -s seed. */
    public record SealedBlob(TpmPublic sealedPublic, TpmPrivate duplicate, EncryptedSecret seed) {
        public byte[] name() {
            return sealedPublic.name();
        }
    }

    private OfflineSeal() {}

    public static SealedBlob seal(TpmPublic parent, byte[] secret, byte[] authPolicy, SecureRandom random) {
        return seal(parent, secret, authPolicy, SEALED_ATTRIBUTES, random);
    }

    /** As above with other object attributes (fixedTPM and fixedParent must stay clear for TPM2_Import). */
    public static SealedBlob seal(TpmPublic parent, byte[] secret, byte[] authPolicy, int attributes, SecureRandom random) {
        if ((attributes & (TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT)) != 0) throw new IllegalArgumentException("an importable object cannot be fixedTPM or fixedParent");
        checkParent(parent);
        if (secret.length == 0) throw new TpmFormatException("the secret is empty");
        if (secret.length > MAX_SECRET) {
            throw new TpmFormatException("the secret is " + secret.length + " bytes; a TPM seals at most " + MAX_SECRET + " bytes (MAX_SYM_DATA)");
        }
        TpmHash objectHash = TpmHash.SHA256;
        if (authPolicy.length != objectHash.digestSize) {
            throw new TpmFormatException("the policy digest must be a sha256 digest (32 bytes), not " + authPolicy.length + " bytes");
        }
        byte[] seedValue = new byte[objectHash.digestSize];
        random.nextBytes(seedValue);
        TpmSensitive sensitive = new TpmSensitive(TpmAlg.KEYEDHASH, new byte[0], seedValue, secret.clone());
        TpmPublic sealed = new TpmPublic(objectHash.algId, attributes, authPolicy.clone(),
                new PublicParameters.KeyedHash(TpmScheme.NULL, objectHash.digest(seedValue, secret)));
        byte[] name = sealed.name();

        TpmHash parentHash = parent.nameHash();
        DuplicationSeed.Seed seed = DuplicationSeed.create(parent, random);
        SymDefObject sym = parentSymmetric(parent);
        byte[] symKey = Kdf.kdfa(parentHash, seed.value(), "STORAGE", name, new byte[0], sym.keyBits());
        byte[] encSensitive = aesCfb(symKey, sensitive.toSizedBytes());
        byte[] hmacKey = Kdf.kdfa(parentHash, seed.value(), "INTEGRITY", new byte[0], new byte[0], parentHash.digestSize * 8);
        byte[] outerHmac = parentHash.hmac(hmacKey, encSensitive, name);
        return new SealedBlob(sealed, TpmPrivate.duplicate(outerHmac, encSensitive), seed.encrypted());
    }

    /** A storage parent: restricted decrypt RSA/ECC key with an AES-CFB symmetric definition. */
    static void checkParent(TpmPublic parent) {
        if (!parent.has(TpmPublic.RESTRICTED | TpmPublic.DECRYPT) || parent.has(TpmPublic.SIGN)) {
            throw new TpmFormatException(String.format(
                    "parent key attributes 0x%08x are not those of a storage key (restricted|decrypt, not sign)", parent.attributes()));
        }
        SymDefObject sym = parentSymmetric(parent);
        if (sym.algorithm() != TpmAlg.AES || sym.mode() != TpmAlg.CFB) {
            throw new TpmFormatException("parent symmetric algorithm is " + TpmAlg.name(sym.algorithm()) + "-" + TpmAlg.name(sym.mode())
                    + "; only AES-CFB storage keys are supported");
        }
        if (sym.keyBits() != 128 && sym.keyBits() != 192 && sym.keyBits() != 256) {
            throw new TpmFormatException("parent symmetric key size is " + sym.keyBits() + " bits; AES keys are 128, 192 or 256 bits");
        }
        parent.nameHash();
    }

    private static SymDefObject parentSymmetric(TpmPublic parent) {
        if (parent.parameters() instanceof PublicParameters.Rsa rsa) return rsa.symmetric();
        if (parent.parameters() instanceof PublicParameters.Ecc ecc) return ecc.symmetric();
        throw new TpmFormatException("parent is a " + TpmAlg.name(parent.type()) + " object; only RSA and ECC storage keys can be parents");
    }

    private static byte[] aesCfb(byte[] key, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CFB unavailable", e);
        }
    }
}
