package dev.sealwright.enroll.quex;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

/**
 * A SIMULATED SGX attestation identity for the software vault: a locally generated root → PCK
 * chain and attestation key that sign structurally valid SGX DCAP v3 quotes. A TD accepts them
 * only when told to trust this root instead of Intel's ({@code enroll-agent --root sim-root.pem}),
 * which only samples and tests do. Every quote carries MRENCLAVE = SHA-256("sealwright software
 * vault SIMULATED").
 */
public final class SimulatedSgxIdentity {
    public static final String LABEL = "SIMULATED";
    private static final byte[] INTEL_VENDOR = HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607");

    private final KeyPair root, pck, attestation;
    private final X509CertificateHolder rootCert, pckCert;

    private SimulatedSgxIdentity(KeyPair root, KeyPair pck, KeyPair attestation, X509CertificateHolder rootCert, X509CertificateHolder pckCert) {
        this.root = root;
        this.pck = pck;
        this.attestation = attestation;
        this.rootCert = rootCert;
        this.pckCert = pckCert;
    }

    public static SimulatedSgxIdentity generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair root = g.generateKeyPair(), pck = g.generateKeyPair(), ak = g.generateKeyPair();
            X500Name rootName = new X500Name("CN=sealwright SIMULATED SGX Root CA");
            X509CertificateHolder rootCert = cert(rootName, rootName, root.getPublic(), root.getPrivate(), true);
            X509CertificateHolder pckCert = cert(rootName, new X500Name("CN=sealwright SIMULATED SGX PCK Certificate"), pck.getPublic(), root.getPrivate(), false);
            return new SimulatedSgxIdentity(root, pck, ak, rootCert, pckCert);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509CertificateHolder cert(X500Name issuer, X500Name subject, PublicKey key, PrivateKey signer, boolean ca)
            throws org.bouncycastle.operator.OperatorCreationException, java.io.IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                Date.from(now.plus(3650, ChronoUnit.DAYS)), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
    }

    /** Writes the identity to a directory: sim-root.pem (public) and identity.pem (keys and certificates, 0600). */
    public void save(java.nio.file.Path dir, boolean overwrite) {
        StringBuilder keys = new StringBuilder();
        for (KeyPair k : new KeyPair[]{root, pck, attestation})
            keys.append("-----BEGIN PRIVATE KEY-----\n")
                    .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(k.getPrivate().getEncoded()))
                    .append("\n-----END PRIVATE KEY-----\n");
        keys.append(pem(rootCert)).append(pem(pckCert));
        try {
            AtomicFiles.writeSecret(dir.resolve("identity.pem"), keys.toString().getBytes(StandardCharsets.US_ASCII), overwrite);
            AtomicFiles.write(dir.resolve("sim-root.pem"), rootPem().getBytes(StandardCharsets.US_ASCII));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new RecipeException(dir.resolve("identity.pem") + " already exists; not overwriting a vault identity (use --force)");
        } catch (java.io.IOException e) {
            throw new RecipeException("cannot write " + dir + ": " + e.getMessage());
        }
    }

    /** Reads what {@link #save} wrote. */
    public static SimulatedSgxIdentity load(java.nio.file.Path dir) {
        return loadFile(dir.resolve("identity.pem"));
    }

    /** Reads an identity.pem written by {@link #save}. */
    public static SimulatedSgxIdentity loadFile(java.nio.file.Path f) {
        try (var parser = new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(
                InputFiles.readText(f, new InputFiles.Bound("a SIMULATED identity", 1 << 20))))) {
            java.util.List<Object> items = new java.util.ArrayList<>();
            for (Object o; (o = parser.readObject()) != null; ) items.add(o);
            if (items.size() != 5) throw new RecipeException(f + ": expected 3 keys and 2 certificates, found " + items.size() + " PEM blocks");
            var conv = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
            KeyPair[] kp = new KeyPair[3];
            for (int i = 0; i < 3; i++) {
                PrivateKey priv = conv.getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) items.get(i));
                kp[i] = new KeyPair(publicOf((java.security.interfaces.ECPrivateKey) priv), priv);
            }
            X509CertificateHolder rootCert = (X509CertificateHolder) items.get(3), pckCert = (X509CertificateHolder) items.get(4);
            kp[0] = new KeyPair(conv.getPublicKey(rootCert.getSubjectPublicKeyInfo()), kp[0].getPrivate());
            kp[1] = new KeyPair(conv.getPublicKey(pckCert.getSubjectPublicKeyInfo()), kp[1].getPrivate());
            return new SimulatedSgxIdentity(kp[0], kp[1], kp[2], rootCert, pckCert);
        } catch (java.io.IOException | ClassCastException e) {
            throw new RecipeException(f + ": not a simulated vault identity (" + e.getMessage() + ")");
        }
    }

    private static PublicKey publicOf(java.security.interfaces.ECPrivateKey priv) {
        var spec = org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(priv.getParams());
        var w = spec.getG().multiply(priv.getS()).normalize();
        try {
            var pub = new java.security.spec.ECPublicKeySpec(new java.security.spec.ECPoint(w.getAffineXCoord().toBigInteger(),
                    w.getAffineYCoord().toBigInteger()), priv.getParams());
            return java.security.KeyFactory.getInstance("EC").generatePublic(pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] mrEnclave() {
        try {
            return MessageDigest.getInstance("SHA-256").digest("sealwright software vault SIMULATED".getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The root a TD must pin to accept this identity's quotes (PEM). */
    public String rootPem() {
        return pem(rootCert);
    }

    /** An SGX DCAP v3 quote of the simulated vault enclave with the given 64-byte REPORTDATA. */
    public byte[] quote(byte[] reportData) {
        if (reportData.length != 64) throw new RecipeException("REPORTDATA is 64 bytes");
        ByteBuffer head = ByteBuffer.allocate(48 + 384).order(ByteOrder.LITTLE_ENDIAN);
        head.putShort((short) 3).putShort((short) 2).putInt(0).putShort((short) 0).putShort((short) 0).put(INTEL_VENDOR).put(new byte[20]);
        byte[] body = new byte[384];
        body[48] = 0x05;                       // attributes.flags INIT | MODE64BIT, not DEBUG
        body[56] = (byte) 0xe7;                // xfrm
        System.arraycopy(mrEnclave(), 0, body, 64, 32);
        System.arraycopy(reportData, 0, body, 320, 64);
        head.put(body);
        byte[] signedPart = head.array();
        byte[] akRaw = raw((ECPublicKey) attestation.getPublic());
        byte[] auth = new byte[32];
        for (int i = 0; i < 32; i++) auth[i] = (byte) i;
        byte[] qeReport = new byte[384];
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(akRaw);
            sha.update(auth);
            System.arraycopy(sha.digest(), 0, qeReport, 320, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] certs = (pem(pckCert) + pem(rootCert)).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream sig = new ByteArrayOutputStream();
        sig.writeBytes(sign(attestation.getPrivate(), signedPart));
        sig.writeBytes(akRaw);
        sig.writeBytes(qeReport);
        sig.writeBytes(sign(pck.getPrivate(), qeReport));
        sig.writeBytes(le16(auth.length));
        sig.writeBytes(auth);
        sig.writeBytes(le16(5));
        sig.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(certs.length).array());
        sig.writeBytes(certs);
        byte[] sd = sig.toByteArray();
        ByteBuffer q = ByteBuffer.allocate(436 + sd.length).order(ByteOrder.LITTLE_ENDIAN);
        q.put(signedPart).putInt(sd.length).put(sd);
        return q.array();
    }

    private static byte[] le16(int v) {
        return new byte[]{(byte) v, (byte) (v >> 8)};
    }

    /** ECDSA P-256 / SHA-256 as raw r‖s (32 + 32 bytes), the DCAP encoding. */
    private static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] raw(ECPublicKey k) {
        byte[] out = new byte[64];
        byte[] x = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, k.getW().getAffineX());
        byte[] y = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, k.getW().getAffineY());
        System.arraycopy(x, 0, out, 0, 32);
        System.arraycopy(y, 0, out, 32, 32);
        return out;
    }

    private static String pem(X509CertificateHolder c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
