package dev.sealwright.tpm;

/**
 * The type-specific part of a TPMT_PUBLIC: TPMU_PUBLIC_PARMS together with the TPMU_PUBLIC_ID
 * ("unique") of the same type.
 */
public sealed interface PublicParameters {
    int type();

    void writeParameters(TpmWriter w);

    void writeUnique(TpmWriter w);

    int MAX_RSA_KEY_BYTES = 512;
    int MAX_DIGEST = 64;

    static PublicParameters read(int type, TpmReader r) {
        return switch (type) {
            case TpmAlg.RSA -> {
                SymDefObject sym = SymDefObject.read(r);
                TpmScheme scheme = TpmScheme.read(r, "rsa");
                int keyBits = r.u16("rsa.keyBits");
                int exponent = r.u32("rsa.exponent");
                yield new Rsa(sym, scheme, keyBits, exponent, r.sized("unique.rsa", MAX_RSA_KEY_BYTES));
            }
            case TpmAlg.ECC -> {
                SymDefObject sym = SymDefObject.read(r);
                TpmScheme scheme = TpmScheme.read(r, "ecc");
                int curve = r.u16("ecc.curveID");
                TpmScheme kdf = TpmScheme.read(r, "ecc.kdf");
                yield new Ecc(sym, scheme, curve, kdf, EccPoint.read(r, "unique.ecc"));
            }
            case TpmAlg.KEYEDHASH -> {
                TpmScheme scheme = TpmScheme.read(r, "keyedHash");
                yield new KeyedHash(scheme, r.sized("unique.keyedHash", MAX_DIGEST));
            }
            case TpmAlg.SYMCIPHER -> {
                SymDefObject sym = SymDefObject.read(r);
                yield new SymCipher(sym, r.sized("unique.sym", MAX_DIGEST));
            }
            default -> throw new TpmFormatException("unsupported object type " + TpmAlg.name(type));
        };
    }

    /** TPMS_RSA_PARMS + modulus; exponent 0 means the default 65537. */
    record Rsa(SymDefObject symmetric, TpmScheme scheme, int keyBits, int exponent, byte[] modulus) implements PublicParameters {
        public int type() {
            return TpmAlg.RSA;
        }

        public long effectiveExponent() {
            return exponent == 0 ? 65537L : Integer.toUnsignedLong(exponent);
        }

        public void writeParameters(TpmWriter w) {
            symmetric.write(w);
            scheme.write(w);
            w.u16(keyBits).u32(exponent);
        }

        public void writeUnique(TpmWriter w) {
            w.sized(modulus);
        }
    }

    /** TPMS_ECC_PARMS + public point. */
    record Ecc(SymDefObject symmetric, TpmScheme scheme, int curveId, TpmScheme kdf, EccPoint point) implements PublicParameters {
        public int type() {
            return TpmAlg.ECC;
        }

        public void writeParameters(TpmWriter w) {
            symmetric.write(w);
            scheme.write(w);
            w.u16(curveId);
            kdf.write(w);
        }

        public void writeUnique(TpmWriter w) {
            point.write(w);
        }
    }

    /** TPMS_KEYEDHASH_PARMS + unique digest (for sealed data: H(seedValue ‖ data)). */
    record KeyedHash(TpmScheme scheme, byte[] unique) implements PublicParameters {
        public int type() {
            return TpmAlg.KEYEDHASH;
        }

        public void writeParameters(TpmWriter w) {
            scheme.write(w);
        }

        public void writeUnique(TpmWriter w) {
            w.sized(unique);
        }
    }

    /** TPMS_SYMCIPHER_PARMS + unique digest. */
    record SymCipher(SymDefObject symmetric, byte[] unique) implements PublicParameters {
        public int type() {
            return TpmAlg.SYMCIPHER;
        }

        public void writeParameters(TpmWriter w) {
            symmetric.write(w);
        }

        public void writeUnique(TpmWriter w) {
            w.sized(unique);
        }
    }
}
