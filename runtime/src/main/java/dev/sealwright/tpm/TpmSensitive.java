package dev.sealwright.tpm;

/**
 * TPMT_SENSITIVE (sensitiveType, authValue, seedValue, sensitive) and its TPM2B_SENSITIVE form.
 * For a sealed data object the sensitive part is TPM2B_SENSITIVE_DATA, the secret itself.
 * Holds key material: never log it.
 */
public record TpmSensitive(int sensitiveType, byte[] authValue, byte[] seedValue, byte[] sensitive) {
    static final int MAX_FIELD = 1024;

    public static TpmSensitive read(TpmReader r) {
        int type = r.u16("sensitiveType");
        return new TpmSensitive(type, r.sized("authValue", PublicParameters.MAX_DIGEST),
                r.sized("seedValue", PublicParameters.MAX_DIGEST), r.sized("sensitive", MAX_FIELD));
    }

    public void write(TpmWriter w) {
        w.u16(sensitiveType).sized(authValue).sized(seedValue).sized(sensitive);
    }

    /** TPM2B_SENSITIVE: u16 size ‖ TPMT_SENSITIVE. */
    public byte[] toSizedBytes() {
        TpmWriter inner = new TpmWriter();
        write(inner);
        return new TpmWriter().sized(inner.toBytes()).toBytes();
    }

    public static TpmSensitive fromSizedBytes(byte[] bytes) {
        TpmReader outer = new TpmReader(bytes);
        TpmReader inner = outer.sizedReader("TPM2B_SENSITIVE");
        outer.end("TPM2B_SENSITIVE");
        TpmSensitive s = read(inner);
        inner.end("TPMT_SENSITIVE");
        return s;
    }

    @Override
    public String toString() {
        return "TpmSensitive[type=" + TpmAlg.name(sensitiveType) + ", " + sensitive.length + " secret bytes]";
    }
}
