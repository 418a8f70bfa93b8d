package dev.sealwright.measure.snp.idblock;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;

/** Loads a P-384 private key from PEM: PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY", optionally after "EC PARAMETERS"). */
public final class P384KeyFile {
    private P384KeyFile() {}

    /** A PEM private key is a few hundred bytes. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a PEM private key", 64 << 10);

    public static KeyPair read(Path file) {
        Object parsed;
        try (Reader r = new java.io.StringReader(new String(InputFiles.read(file, FILE_BOUND), StandardCharsets.US_ASCII)); PEMParser pem = new PEMParser(r)) {
            do {
                parsed = pem.readObject();
            } while (parsed instanceof ASN1ObjectIdentifier || parsed instanceof X9ECParameters);
        } catch (IOException e) {
            throw new RecipeException(file + ": cannot read a PEM private key: " + firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            throw new RecipeException(file + ": not a valid PEM private key: " + firstLine(e.getMessage()), e);
        }
        if (parsed == null) throw new RecipeException(file + ": no PEM private key found (expected PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\")");
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo)
            throw new RecipeException(file + ": the key is encrypted; decrypt it first (openssl pkcs8 -nocrypt)");
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        PrivateKey priv;
        try {
            if (parsed instanceof PEMKeyPair kp) priv = conv.getPrivateKey(kp.getPrivateKeyInfo());
            else if (parsed instanceof PrivateKeyInfo info) priv = conv.getPrivateKey(info);
            else throw new RecipeException(file + ": holds a " + parsed.getClass().getSimpleName() + ", not a private key");
        } catch (IOException e) {
            throw new RecipeException(file + ": unreadable private key: " + firstLine(e.getMessage()), e);
        }
        if (!(priv instanceof ECPrivateKey ec)) throw new RecipeException(file + ": a " + priv.getAlgorithm() + " key; SNP needs an ECDSA P-384 key");
        if (ec.getParams().getCurve().getField().getFieldSize() != 384)
            throw new RecipeException(file + ": an EC key on a " + ec.getParams().getCurve().getField().getFieldSize() + "-bit curve; SNP needs P-384 (secp384r1)");
        return new KeyPair(publicOf(ec), ec);
    }

    /** Q = d·G on P-384 (a PKCS#8 key need not carry its public key). */
    static ECPublicKey publicOf(ECPrivateKey key) {
        ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("secp384r1");
        var q = curve.getG().multiply(key.getS()).normalize();
        BigInteger x = q.getAffineXCoord().toBigInteger(), y = q.getAffineYCoord().toBigInteger();
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), key.getParams()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
