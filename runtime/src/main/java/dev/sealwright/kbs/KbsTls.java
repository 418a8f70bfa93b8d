package dev.sealwright.kbs;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * TLS for the broker from PEM files as openssl writes them: a certificate chain and an unencrypted
 * private key (PKCS#8 "PRIVATE KEY", or SEC1 "EC PRIVATE KEY" / PKCS#1 "RSA PRIVATE KEY").
 * TLS protects the exchange in transit; the secret itself is sealed to the TEE key either way.
 */
public final class KbsTls {
    private KbsTls() {}

    /** A PEM certificate chain or private key. */
    public static final InputFiles.Bound PEM_BOUND = new InputFiles.Bound("a PEM file", 1 << 20);

    public static SSLContext fromPem(Path certFile, Path keyFile) {
        try {
            Certificate[] chain;
            chain = CertificateFactory.getInstance("X.509").generateCertificates(
                    new java.io.ByteArrayInputStream(InputFiles.read(certFile, PEM_BOUND))).toArray(new Certificate[0]);
            if (chain.length == 0) {
                throw new RecipeException(certFile + ": holds no PEM certificate");
            }
            PrivateKey key;
            try (Reader r = new java.io.StringReader(InputFiles.readText(keyFile, PEM_BOUND)); PEMParser p = new PEMParser(r)) {
                Object o = p.readObject();
                var conv = new JcaPEMKeyConverter();
                if (o instanceof PEMKeyPair kp) {
                    key = conv.getKeyPair(kp).getPrivate();
                } else if (o instanceof PrivateKeyInfo info) {
                    key = conv.getPrivateKey(info);
                } else {
                    throw new RecipeException(keyFile + ": not an unencrypted PEM private key");
                }
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("kbs", key, pw, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RecipeException(e.getFile() + ": no such file");
        } catch (IOException | GeneralSecurityException e) {
            throw new RecipeException(certFile + " / " + keyFile + ": cannot set up TLS: " + e.getMessage());
        }
    }
}
