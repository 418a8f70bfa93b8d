package dev.sealwright.tpm;

/**
 * TPM2B_PRIVATE: an opaque buffer. For a duplication blob (the {@code .dpriv} file of
 * {@code tpm2_duplicate}) the buffer is TPM2B_DIGEST outerHMAC ‖ encrypted TPM2B_SENSITIVE.
 */
public record TpmPrivate(byte[] buffer) {
    /** sizeof(_PRIVATE) in the reference implementation: the largest buffer a TPM accepts. */
    public static final int MAX_BUFFER = 2 + 64 + 2 + 2 + 2 * 64 + 2 + 1024 + 16;

    public static TpmPrivate read(TpmReader r) {
        return new TpmPrivate(r.sized("TPM2B_PRIVATE", MAX_BUFFER));
    }

    public void write(TpmWriter w) {
        w.sized(buffer);
    }

    public byte[] toSizedBytes() {
        return new TpmWriter().sized(buffer).toBytes();
    }

    public static TpmPrivate fromSizedBytes(byte[] bytes) {
        TpmReader r = new TpmReader(bytes);
        TpmPrivate p = read(r);
        r.end("TPM2B_PRIVATE");
        return p;
    }

    /** A duplicate with an outer wrapper: the HMAC and the encrypted sensitive area. */
    public static TpmPrivate duplicate(byte[] outerHmac, byte[] encSensitive) {
        return new TpmPrivate(new TpmWriter().sized(outerHmac).bytes(encSensitive).toBytes());
    }

    public byte[] outerHmac() {
        return new TpmReader(buffer).sized("outerHMAC", PublicParameters.MAX_DIGEST);
    }

    public byte[] encryptedSensitive() {
        TpmReader r = new TpmReader(buffer);
        r.sized("outerHMAC", PublicParameters.MAX_DIGEST);
        return r.bytes(r.remaining(), "encSensitive");
    }
}
