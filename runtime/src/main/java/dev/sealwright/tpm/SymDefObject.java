package dev.sealwright.tpm;

/** TPMT_SYM_DEF_OBJECT: algorithm, then key bits and mode unless the algorithm is NULL. */
public record SymDefObject(int algorithm, int keyBits, int mode) {
    public static final SymDefObject NULL = new SymDefObject(TpmAlg.NULL, 0, 0);
    public static final SymDefObject AES_128_CFB = new SymDefObject(TpmAlg.AES, 128, TpmAlg.CFB);

    public boolean isNull() {
        return algorithm == TpmAlg.NULL;
    }

    public static SymDefObject read(TpmReader r) {
        int alg = r.u16("symmetric.algorithm");
        if (alg == TpmAlg.NULL) return NULL;
        return new SymDefObject(alg, r.u16("symmetric.keyBits"), r.u16("symmetric.mode"));
    }

    public void write(TpmWriter w) {
        w.u16(algorithm);
        if (!isNull()) w.u16(keyBits).u16(mode);
    }
}
