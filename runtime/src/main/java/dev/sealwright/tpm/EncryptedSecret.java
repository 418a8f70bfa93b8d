package dev.sealwright.tpm;

/**
 * TPM2B_ENCRYPTED_SECRET: the seed of a duplication blob encrypted to the new parent (the {@code .seed}
 * file of {@code tpm2_duplicate}): an RSA-OAEP ciphertext, or a marshalled TPMS_ECC_POINT for ECC parents.
 */
public record EncryptedSecret(byte[] secret) {
    /** sizeof(TPMU_ENCRYPTED_SECRET) with 4096-bit RSA support. */
    public static final int MAX_SIZE = 512;

    public static EncryptedSecret read(TpmReader r) {
        return new EncryptedSecret(r.sized("TPM2B_ENCRYPTED_SECRET", MAX_SIZE));
    }

    public void write(TpmWriter w) {
        w.sized(secret);
    }

    public byte[] toSizedBytes() {
        return new TpmWriter().sized(secret).toBytes();
    }

    public static EncryptedSecret fromSizedBytes(byte[] bytes) {
        TpmReader r = new TpmReader(bytes);
        EncryptedSecret s = read(r);
        r.end("TPM2B_ENCRYPTED_SECRET");
        return s;
    }
}
