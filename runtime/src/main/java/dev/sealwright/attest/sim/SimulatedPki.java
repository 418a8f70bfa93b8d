package dev.sealwright.attest.sim;

import org.bouncycastle.util.BigIntegers;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * A locally generated stand-in for Intel's PKI, for machines without a TEE: a SIMULATED root, a
 * PCK CA, a PCK leaf carrying the SGX extension (FMSPC, PCE-ID, TCB) and a TCB signing key. Every
 * subject carries {@code O=SIMULATED}; the root's CN starts with {@code SIMULATED}, which is how
 * verification recognises (and, unless explicitly trusted, rejects) it.
 */
public final class SimulatedPki {
    public static final String ROOT_CN = "SIMULATED sealwright SGX Root CA";
    static final String SGX_EXT = "1.2.840.113741.1.13.1";

    private final SecureRandom random = new SecureRandom();
    final KeyPair rootKey = keyPair(), caKey = keyPair(), pckKey = keyPair(), tcbKey = keyPair();
    public final X509Certificate root, pckCa, pck, tcbSigner;
    final byte[] fmspc;

    public SimulatedPki(byte[] fmspc, int[] sgxComponents, int pceSvn, Instant notBefore, Instant notAfter) {
        this.fmspc = fmspc.clone();
        X500Name rootName = name(ROOT_CN);
        root = cert(rootName, rootName, rootKey.getPublic(), rootKey.getPrivate(), 1, notBefore, notAfter, null);
        X500Name caName = name("Intel SGX PCK Platform CA");
        pckCa = cert(caName, rootName, caKey.getPublic(), rootKey.getPrivate(), 0, notBefore, notAfter, null);
        pck = cert(name("Intel SGX PCK Certificate"), caName, pckKey.getPublic(), caKey.getPrivate(), -1, notBefore,
                notAfter, sgxExtension(fmspc, sgxComponents, pceSvn));
        tcbSigner = cert(name("Intel SGX TCB Signing"), rootName, tcbKey.getPublic(), rootKey.getPrivate(), -1,
                notBefore, notAfter, null);
    }

    private static X500Name name(String cn) {
        return new X500Name("CN=" + cn + ",O=SIMULATED sealwright test PKI - not Intel");
    }

    static KeyPair keyPair() {
        try {
            var g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509Certificate cert(X500Name subject, X500Name issuer, java.security.PublicKey key, PrivateKey signer,
                                 int pathLen, Instant from, Instant to, DERSequence sgx) {
        boolean ca = pathLen >= 0; // as Intel's: root pathlen 1, PCK CA pathlen 0, leaves not CAs
        try {
            var b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, random).add(BigInteger.ONE),
                    Date.from(from), Date.from(to), subject, key);
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(pathLen) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
            if (sgx != null) {
                b.addExtension(new ASN1ObjectIdentifier(SGX_EXT), false, sgx);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot build a simulated certificate", e);
        }
    }

    /** The SGX extension layout of a real PCK certificate: PPID, TCB (16 SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type. */
    private static DERSequence sgxExtension(byte[] fmspc, int[] comps, int pceSvn) {
        var tcb = new ASN1EncodableVector();
        byte[] cpuSvn = new byte[16];
        for (int i = 0; i < 16; i++) {
            tcb.add(pair(SGX_EXT + ".2." + (i + 1), new ASN1Integer(comps[i])));
            cpuSvn[i] = (byte) comps[i];
        }
        tcb.add(pair(SGX_EXT + ".2.17", new ASN1Integer(pceSvn)));
        tcb.add(pair(SGX_EXT + ".2.18", new DEROctetString(cpuSvn)));
        var v = new ASN1EncodableVector();
        v.add(pair(SGX_EXT + ".1", new DEROctetString(new byte[16])));
        v.add(pair(SGX_EXT + ".2", new DERSequence(tcb)));
        v.add(pair(SGX_EXT + ".3", new DEROctetString(new byte[2])));
        v.add(pair(SGX_EXT + ".4", new DEROctetString(fmspc)));
        v.add(pair(SGX_EXT + ".5", new org.bouncycastle.asn1.ASN1Enumerated(0)));
        return new DERSequence(v);
    }

    private static DERSequence pair(String oid, org.bouncycastle.asn1.ASN1Encodable value) {
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[]{new ASN1ObjectIdentifier(oid), value});
    }

    /** A DER CRL by {@code issuerKey}/{@code issuer} revoking {@code revoked}. */
    public byte[] crl(X509Certificate issuer, PrivateKey issuerKey, List<X509Certificate> revoked, Instant thisUpdate,
                      Instant nextUpdate) {
        try {
            var b = new org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder(issuer, Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            for (X509Certificate c : revoked) {
                b.addCRLEntry(c.getSerialNumber(), Date.from(thisUpdate), 0);
            }
            X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
            return crl.getEncoded();
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build a simulated CRL", e);
        }
    }

    /** ECDSA-P256/SHA-256 in DCAP's raw 64-byte r‖s form. */
    static byte[] signRaw(PrivateKey key, byte[] data) {
        try {
            var s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(data);
            var seq = ASN1Sequence.getInstance(s.sign());
            byte[] out = new byte[64];
            BigIntegers.asUnsignedByteArray(ASN1Integer.getInstance(seq.getObjectAt(0)).getPositiveValue(), out, 0, 32);
            BigIntegers.asUnsignedByteArray(ASN1Integer.getInstance(seq.getObjectAt(1)).getPositiveValue(), out, 32, 32);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(X509Certificate... certs) {
        var sb = new StringBuilder();
        for (X509Certificate c : certs) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    /** X‖Y of an uncompressed P-256 public key (the DCAP attestation key encoding). */
    static byte[] rawPublicKey(java.security.PublicKey key) {
        var w = ((java.security.interfaces.ECPublicKey) key).getW();
        byte[] out = new byte[64];
        BigIntegers.asUnsignedByteArray(w.getAffineX(), out, 0, 32);
        BigIntegers.asUnsignedByteArray(w.getAffineY(), out, 32, 32);
        return out;
    }

    byte[] fmspc() {
        return Arrays.copyOf(fmspc, fmspc.length);
    }
}
