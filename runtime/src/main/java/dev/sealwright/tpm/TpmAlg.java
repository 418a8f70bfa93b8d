package dev.sealwright.tpm;

/** TPM_ALG_ID values (TPM 2.0 Part 2, table 9) that sealwright reads and writes. */
public final class TpmAlg {
    public static final int RSA = 0x0001;
    public static final int SHA1 = 0x0004;
    public static final int HMAC = 0x0005;
    public static final int AES = 0x0006;
    public static final int MGF1 = 0x0007;
    public static final int KEYEDHASH = 0x0008;
    public static final int XOR = 0x000A;
    public static final int SHA256 = 0x000B;
    public static final int SHA384 = 0x000C;
    public static final int SHA512 = 0x000D;
    public static final int NULL = 0x0010;
    public static final int RSASSA = 0x0014;
    public static final int RSAES = 0x0015;
    public static final int RSAPSS = 0x0016;
    public static final int OAEP = 0x0017;
    public static final int ECDSA = 0x0018;
    public static final int ECDH = 0x0019;
    public static final int ECDAA = 0x001A;
    public static final int ECC = 0x0023;
    public static final int SYMCIPHER = 0x0025;
    public static final int CFB = 0x0043;

    /** TPM_ECC_CURVE NIST P-256. */
    public static final int ECC_NIST_P256 = 0x0003;

    private TpmAlg() {}

    public static String name(int alg) {
        return switch (alg) {
            case RSA -> "rsa";
            case SHA1 -> "sha1";
            case HMAC -> "hmac";
            case AES -> "aes";
            case KEYEDHASH -> "keyedhash";
            case XOR -> "xor";
            case SHA256 -> "sha256";
            case SHA384 -> "sha384";
            case SHA512 -> "sha512";
            case NULL -> "null";
            case ECC -> "ecc";
            case SYMCIPHER -> "symcipher";
            case CFB -> "cfb";
            default -> String.format("0x%04x", alg);
        };
    }
}
