package dev.sealwright.image.pe;

import dev.sealwright.base.RecipeException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** PEM private keys (PKCS#8 or traditional) and X.509 certificates for Secure Boot signing. */
public final class SigningKeys {
    private SigningKeys() {}

    public static PrivateKey privateKey(byte[] pem, String what) {
        Object o = parse(pem, what);
        try {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) return conv.getKeyPair(kp).getPrivate();
            if (o instanceof PrivateKeyInfo pki) return conv.getPrivateKey(pki);
        } catch (IOException e) {
            throw new RecipeException(what + ": unreadable private key: " + e.getMessage(), e);
        }
        throw new RecipeException(what + ": expected an unencrypted PEM private key");
    }

    public static X509Certificate certificate(byte[] pem, String what) {
        Object o = parse(pem, what);
        if (!(o instanceof X509CertificateHolder h)) throw new RecipeException(what + ": expected a PEM X.509 certificate");
        try {
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (Exception e) {
            throw new RecipeException(what + ": unreadable certificate: " + e.getMessage(), e);
        }
    }

    private static Object parse(byte[] pem, String what) {
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object o = p.readObject();
            if (o == null) throw new RecipeException(what + ": no PEM object found");
            return o;
        } catch (IOException e) {
            throw new RecipeException(what + ": not PEM: " + e.getMessage(), e);
        }
    }
}
