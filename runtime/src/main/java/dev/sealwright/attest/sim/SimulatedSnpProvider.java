package dev.sealwright.attest.sim;

import dev.sealwright.attest.snp.AttestationReport;
import dev.sealwright.snp.SnpSignature;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;

/**
 * SIMULATED SEV-SNP attestation for machines without SNP firmware: a locally generated stand-in for
 * AMD's KDS chain (ARK self-signed → ASK → VCEK, RSASSA-PSS SHA-384 with salt 48 as AMD signs, a
 * P-384 VCEK carrying the AMD TCB and hwID extensions) and version-3 Milan reports signed by that
 * VCEK exactly as the firmware signs them (ECDSA P-384 over bytes 0..0x29F, r/s little-endian).
 * Every subject carries {@code O=SIMULATED} and the ARK's CN starts with {@code SIMULATED}, which is
 * how the verifier recognises (and, unless explicitly trusted, rejects) it. Never selected implicitly.
 */
public final class SimulatedSnpProvider {
    public static final String LABEL = "SIMULATED";
    public static final String ARK_CN = "SIMULATED ARK-Milan";
    /** Default guest policy: SMT allowed, reserved bit 17 set, debug off (as SNPGuard and QEMU default). */
    public static final long DEFAULT_POLICY = 0x30000L;
    /** Milan TCB: boot loader 3, TEE 0, SNP 8, microcode 115 (as the virtee Milan fixture). */
    static final int BL = 3, TEE = 0, SNP = 8, UCODE = 115;
    static final String VCEK_ARC = "1.3.6.1.4.1.3704.1.";

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private final SecureRandom random = new SecureRandom();
    private final KeyPair arkKey = rsa(), askKey = rsa(), vcekKey = p384();
    private final byte[] chipId = new byte[64];
    public final X509Certificate ark, ask, vcek;

    public SimulatedSnpProvider(Instant notBefore, Instant notAfter) {
        random.nextBytes(chipId);
        X500Name arkName = name(ARK_CN), askName = name("SIMULATED SEV-Milan");
        ark = cert(arkName, arkName, arkKey.getPublic(), arkKey.getPrivate(), 1, notBefore, notAfter, false);
        ask = cert(askName, arkName, askKey.getPublic(), arkKey.getPrivate(), 0, notBefore, notAfter, false);
        vcek = cert(name("SEV-VCEK"), askName, vcekKey.getPublic(), askKey.getPrivate(), -1, notBefore, notAfter, true);
    }

    /** The chip id the VCEK's hwID extension names and every report carries. */
    public byte[] chipId() {
        return chipId.clone();
    }

    /**
     * A signed version-3 report (Milan CPUID) with the given 64-byte report data, 48-byte
     * measurement, 32-byte host data and policy; all TCB fields equal the VCEK's.
     */
    public AttestationReport report(byte[] reportData, byte[] measurement, byte[] hostData, long policy) {
        long tcb = (long) BL | (long) TEE << 8 | (long) SNP << 48 | (long) UCODE << 56;
        byte[] reportId = new byte[32];
        random.nextBytes(reportId);
        byte[] z16 = new byte[16], z48 = new byte[48], ff32 = new byte[32];
        Arrays.fill(ff32, (byte) 0xFF);
        var unsigned = new AttestationReport(3, 0, policy, z16, z16, 0, AttestationReport.SIG_ALGO_ECDSA_P384_SHA384, tcb, 0, 0,
                Arrays.copyOf(reportData, 64), Arrays.copyOf(measurement, 48), Arrays.copyOf(hostData, 32), z48, z48, reportId,
                ff32, tcb, 0x19, 0x01, 0x01, chipId.clone(), tcb, 4, 52, 1, 4, 52, 1, tcb, 0, 0,
                new SnpSignature(BigInteger.ZERO, BigInteger.ZERO));
        byte[] signed = Arrays.copyOf(unsigned.toBytes(), AttestationReport.SIGNED_SIZE);
        try {
            var s = Signature.getInstance("SHA384withECDSAinP1363Format");
            s.initSign(vcekKey.getPrivate());
            s.update(signed);
            return AttestationReport.read(withSignature(unsigned.toBytes(), SnpSignature.fromP1363(s.sign())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ASK then ARK in PEM, the order AMD's KDS serves {@code cert_chain}. */
    public String chainPem() {
        return SimulatedPki.pem(ask, ark);
    }

    private static byte[] withSignature(byte[] report, SnpSignature sig) {
        System.arraycopy(sig.toBytes(), 0, report, AttestationReport.SIGNED_SIZE, SnpSignature.SIZE);
        return report;
    }

    private static X500Name name(String cn) {
        return new X500Name("CN=" + cn + ",O=SIMULATED sealwright test PKI - not AMD");
    }

    private X509Certificate cert(X500Name subject, X500Name issuer, PublicKey key, PrivateKey signer, int pathLen,
                                 Instant from, Instant to, boolean vcekExtensions) {
        boolean ca = pathLen >= 0;
        try {
            var b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, random).add(BigInteger.ONE),
                    Date.from(from), Date.from(to), subject, key);
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(pathLen) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (vcekExtensions) {
                ext(b, "1", new DERIA5String("SIMULATED sealwright VCEK"));
                ext(b, "2", new DERIA5String("Milan-B0"));
                ext(b, "3.1", new ASN1Integer(BL));
                ext(b, "3.2", new ASN1Integer(TEE));
                ext(b, "3.3", new ASN1Integer(SNP));
                for (int i = 4; i <= 7; i++) ext(b, "3." + i, new ASN1Integer(0));
                ext(b, "3.8", new ASN1Integer(UCODE));
                // hwID is carried as the raw 64 chip-id bytes, as in AMD's VCEKs
                b.addExtension(new Extension(new ASN1ObjectIdentifier(VCEK_ARC + "4"), false, new DEROctetString(chipId)));
            }
            // AMD's signature scheme: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48
            var signerBuilder = new JcaContentSignerBuilder("SHA384withRSAandMGF1").setProvider(BC);
            return new JcaX509CertificateConverter().getCertificate(b.build(signerBuilder.build(signer)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot build a simulated AMD certificate", e);
        }
    }

    private static void ext(JcaX509v3CertificateBuilder b, String arc, ASN1Encodable value) throws IOException {
        b.addExtension(new ASN1ObjectIdentifier(VCEK_ARC + arc), false, value);
    }

    private static KeyPair rsa() {
        try {
            var g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048); // AMD's are 4096; 2048 keeps simulated runs fast and is structurally the same
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair p384() {
        try {
            var g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
