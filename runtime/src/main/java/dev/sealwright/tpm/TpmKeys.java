package dev.sealwright.tpm;

import org.bouncycastle.util.BigIntegers;
import java.math.BigInteger;
import java.security.interfaces.RSAPublicKey;

/** TPMT_PUBLIC templates for external keys. */
public final class TpmKeys {
    private TpmKeys() {}

    /**
     * An RSA verification key as systemd builds it for PolicyAuthorize (tpm2-util.c): nameAlg SHA-256,
     * attributes decrypt|sign|userWithAuth, symmetric and scheme NULL, exponent 0 when e = 65537.
     * Its {@link TpmPublic#name()} is the keySign Name of the PolicyAuthorize assertion.
     */
    public static TpmPublic rsaSigningKey(RSAPublicKey key) {
        BigInteger e = key.getPublicExponent();
        int exponent = e.equals(BigInteger.valueOf(65537)) ? 0 : e.intValueExact();
        int bits = key.getModulus().bitLength();
        byte[] modulus = BigIntegers.asUnsignedByteArray((bits + 7) / 8, key.getModulus());
        return new TpmPublic(TpmAlg.SHA256, TpmPublic.DECRYPT | TpmPublic.SIGN | TpmPublic.USER_WITH_AUTH, new byte[0],
                new PublicParameters.Rsa(SymDefObject.NULL, TpmScheme.NULL, bits, exponent, modulus));
    }
}
