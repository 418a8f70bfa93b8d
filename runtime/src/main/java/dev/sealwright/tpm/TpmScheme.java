package dev.sealwright.tpm;

/**
 * A scheme selector as found in public areas (TPMT_RSA_SCHEME, TPMT_ECC_SCHEME, TPMT_KEYEDHASH_SCHEME,
 * TPMT_KDF_SCHEME): the algorithm, then its details. Most schemes carry a hash algorithm; ECDAA adds
 * a u16 count and XOR a KDF algorithm (kept in {@code extra}); NULL and RSAES carry nothing.
 */
public record TpmScheme(int algorithm, int hashAlg, int extra) {
    public static final TpmScheme NULL = new TpmScheme(TpmAlg.NULL, 0, 0);

    public static TpmScheme of(int algorithm, int hashAlg) {
        return new TpmScheme(algorithm, hashAlg, 0);
    }

    private static int detailWords(int alg) {
        return switch (alg) {
            case TpmAlg.NULL, TpmAlg.RSAES -> 0;
            case TpmAlg.ECDAA, TpmAlg.XOR -> 2;
            default -> 1;
        };
    }

    public static TpmScheme read(TpmReader r, String field) {
        int alg = r.u16(field + ".scheme");
        int words = detailWords(alg);
        int hash = words >= 1 ? r.u16(field + ".details.hashAlg") : 0;
        int extra = words == 2 ? r.u16(field + ".details") : 0;
        return new TpmScheme(alg, hash, extra);
    }

    public void write(TpmWriter w) {
        w.u16(algorithm);
        int words = detailWords(algorithm);
        if (words >= 1) w.u16(hashAlg);
        if (words == 2) w.u16(extra);
    }
}
