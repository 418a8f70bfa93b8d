package dev.sealwright.tpm;

/** TPMS_ECC_POINT: TPM2B x, TPM2B y (big-endian coordinates). */
public record EccPoint(byte[] x, byte[] y) {
    static final int MAX_COORDINATE = 128;

    public static EccPoint read(TpmReader r, String field) {
        return new EccPoint(r.sized(field + ".x", MAX_COORDINATE), r.sized(field + ".y", MAX_COORDINATE));
    }

    public void write(TpmWriter w) {
        w.sized(x).sized(y);
    }

    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toBytes();
    }

    public static EccPoint fromBytes(byte[] b) {
        TpmReader r = new TpmReader(b);
        EccPoint p = read(r, "TPMS_ECC_POINT");
        r.end("TPMS_ECC_POINT");
        return p;
    }
}
