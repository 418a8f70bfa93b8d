package dev.sealwright.tpm;

/**
 * TPMT_PUBLIC (type, nameAlg, objectAttributes, authPolicy, parameters, unique) and its TPM2B_PUBLIC
 * form (u16 size prefix), which is what {@code tpm2_readpublic -o} and tpm2-tools {@code .pub} files hold.
 */
public record TpmPublic(int nameAlg, int attributes, byte[] authPolicy, PublicParameters parameters) {
    public static final int FIXED_TPM = 1 << 1;
    public static final int FIXED_PARENT = 1 << 4;
    public static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
    public static final int USER_WITH_AUTH = 1 << 6;
    public static final int NO_DA = 1 << 10;
    public static final int RESTRICTED = 1 << 16;
    public static final int DECRYPT = 1 << 17;
    public static final int SIGN = 1 << 18;

    public int type() {
        return parameters.type();
    }

    public boolean has(int attribute) {
        return (attributes & attribute) == attribute;
    }

    public TpmHash nameHash() {
        return TpmHash.fromAlgId(nameAlg);
    }

    public static TpmPublic read(TpmReader r) {
        int type = r.u16("type");
        int nameAlg = r.u16("nameAlg");
        int attrs = r.u32("objectAttributes");
        byte[] policy = r.sized("authPolicy", PublicParameters.MAX_DIGEST);
        return new TpmPublic(nameAlg, attrs, policy, PublicParameters.read(type, r));
    }

    public void write(TpmWriter w) {
        w.u16(type()).u16(nameAlg).u32(attributes).sized(authPolicy);
        parameters.writeParameters(w);
        parameters.writeUnique(w);
    }

    /** The marshalled TPMT_PUBLIC. */
    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toBytes();
    }

    /** TPM2B_PUBLIC: u16 size ‖ TPMT_PUBLIC. */
    public byte[] toSizedBytes() {
        return new TpmWriter().sized(toBytes()).toBytes();
    }

    public static TpmPublic fromBytes(byte[] tpmtPublic) {
        TpmReader r = new TpmReader(tpmtPublic);
        TpmPublic p = read(r);
        r.end("TPMT_PUBLIC");
        return p;
    }

    /** Parses a TPM2B_PUBLIC that must fill {@code bytes} exactly. */
    public static TpmPublic fromSizedBytes(byte[] bytes) {
        TpmReader outer = new TpmReader(bytes);
        TpmPublic p = readSized(outer);
        outer.end("TPM2B_PUBLIC");
        return p;
    }

    public static TpmPublic readSized(TpmReader r) {
        TpmReader inner = r.sizedReader("TPM2B_PUBLIC");
        TpmPublic p = read(inner);
        inner.end("TPMT_PUBLIC inside TPM2B_PUBLIC");
        return p;
    }

    /** The object's Name: u16 nameAlg ‖ H_nameAlg(TPMT_PUBLIC) (TPM 2.0 Part 1, 16). */
    public byte[] name() {
        return new TpmWriter().u16(nameAlg).bytes(nameHash().digest(toBytes())).toBytes();
    }
}
