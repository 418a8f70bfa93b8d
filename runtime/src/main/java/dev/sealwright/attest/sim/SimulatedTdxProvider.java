package dev.sealwright.attest.sim;

import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.attest.dcap.QeReportCertificationData;
import dev.sealwright.attest.dcap.QuoteHeader;
import dev.sealwright.attest.dcap.SgxReportBody;
import dev.sealwright.attest.dcap.TdReportBody;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * SIMULATED TDX quote provider for machines without a TEE: structurally valid DCAP v4 quotes with
 * a TD10 body, signed by an attestation key whose QE report is signed by the PCK key of a
 * {@link SimulatedPki}; plus matching collateral. The header's user data reads {@code SIMULATED}
 * and every certificate says {@code O=SIMULATED}; verification accepts these quotes only when the
 * simulated root is explicitly trusted. Never selected implicitly.
 */
public final class SimulatedTdxProvider {
    public static final String LABEL = "SIMULATED";
    static final byte[] FMSPC = HexFormat.of().parseHex("00906ed50000");
    static final byte[] TEE_TCB_SVN = HexFormat.of().parseHex("03000500000000000000000000000000");
    static final int[] SGX_COMPONENTS = {3, 3, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
    static final int PCE_SVN = 11;
    static final int QE_ISV_SVN = 4;

    private final SimulatedPki pki;
    private final KeyPair attestationKey = SimulatedPki.keyPair();
    private QeReportCertificationData qeCertification;
    private final byte[] qeMrSigner = sha256("SIMULATED sealwright TD quoting enclave".getBytes(StandardCharsets.US_ASCII));

    /** A fresh test PKI whose certificates are valid from {@code notBefore} to {@code notAfter}. */
    public SimulatedTdxProvider(Instant notBefore, Instant notAfter) {
        this.pki = new SimulatedPki(FMSPC, SGX_COMPONENTS, PCE_SVN, notBefore, notAfter);
    }

    public SimulatedPki pki() {
        return pki;
    }

    /** A v4 TDX quote over the given 64-byte report data, MRTD and RTMR0..3 (48 bytes each). */
    public Quote quote(byte[] reportData, byte[] mrTd, byte[][] rtmrs) {
        return quote(reportData, mrTd, rtmrs, false);
    }

    /** As {@link #quote(byte[], byte[], byte[][])}, with the TD attribute DEBUG (bit 0) set when {@code debug}. */
    public Quote quote(byte[] reportData, byte[] mrTd, byte[][] rtmrs, boolean debug) {
        byte[] userData = Arrays.copyOf(LABEL.getBytes(StandardCharsets.US_ASCII), 20);
        var header = new QuoteHeader(4, QuoteHeader.ECDSA_P256, QuoteHeader.TEE_TDX, 0, 0,
                HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607"), userData);
        byte[] tdAttributes = HexFormat.of().parseHex("0000001000000000");
        tdAttributes[0] |= debug ? 1 : 0;
        byte[] xfam = HexFormat.of().parseHex("e702060000000000");
        var body = new TdReportBody(false, TEE_TCB_SVN, new byte[48], new byte[48], new byte[8], tdAttributes, xfam,
                mrTd.clone(), new byte[48], new byte[48], new byte[48], rtmrs[0].clone(), rtmrs[1].clone(),
                rtmrs[2].clone(), rtmrs[3].clone(), Arrays.copyOf(reportData, 64), null, null);
        byte[] ak = SimulatedPki.rawPublicKey(attestationKey.getPublic());
        var cert = qeCertification(ak);
        var unsigned = new Quote(header, Quote.BODY_TD10, null, body, new byte[64], ak, cert, 0);
        byte[] signature = SimulatedPki.signRaw(attestationKey.getPrivate(), unsigned.signedRegion());
        return new Quote(header, Quote.BODY_TD10, null, body, signature, ak, cert, 0);
    }

    /**
     * The QE report and its PCK signature, made once: as on a real platform, every quote from this
     * provider carries the same certification data (the same QE, attestation key and PCK).
     */
    private synchronized QeReportCertificationData qeCertification(byte[] ak) {
        if (qeCertification == null) {
            byte[] authData = new byte[32];
            for (int i = 0; i < 32; i++) {
                authData[i] = (byte) i;
            }
            byte[] qeAttributes = HexFormat.of().parseHex("11000000000000000000000000000000");
            var qeReport = new SgxReportBody(new byte[16], 0, new byte[12], new byte[16], qeAttributes, new byte[32],
                    new byte[32], qeMrSigner, new byte[32], new byte[64], 2, QE_ISV_SVN, 0, new byte[42], new byte[16],
                    Arrays.copyOf(sha256(ak, authData), 64));
            qeCertification = new QeReportCertificationData(qeReport, SimulatedPki.signRaw(pki.pckKey.getPrivate(), qeReport.toBytes()),
                    authData, QeReportCertificationData.PCK_CERT_CHAIN,
                    SimulatedPki.pem(pki.pck, pki.pckCa, pki.root).getBytes(StandardCharsets.US_ASCII));
        }
        return qeCertification;
    }

    /**
     * Collateral for this provider's quotes, valid from {@code issue} to {@code next}: TCB info
     * (one UpToDate level, one OutOfDate level), TD_QE identity, root and PCK CRLs (the latter
     * revoking {@code revokedPcks}).
     */
    public Collateral collateral(Instant issue, Instant next, List<X509Certificate> revokedPcks) {
        String fmspc = HexFormat.of().formatHex(FMSPC).toUpperCase();
        String tcbInfo = "{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"" + issue + "\",\"nextUpdate\":\"" + next
                + "\",\"fmspc\":\"" + fmspc + "\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":1,"
                + "\"tdxModule\":{\"mrsigner\":\"" + "00".repeat(48) + "\",\"attributes\":\"0000000000000000\","
                + "\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},\"tcbLevels\":["
                + level(SGX_COMPONENTS, PCE_SVN, TEE_TCB_SVN, "UpToDate", "")
                + "," + level(new int[16], 0, new byte[16], "OutOfDate", "\"SIMULATED-SA-0001\"") + "]}";
        String qeIdentity = "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"" + issue + "\",\"nextUpdate\":\"" + next
                + "\",\"tcbEvaluationDataNumber\":1,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
                + "\"attributes\":\"11000000000000000000000000000000\",\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
                + "\"mrsigner\":\"" + HexFormat.of().formatHex(qeMrSigner).toUpperCase() + "\",\"isvprodid\":2,"
                + "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":" + QE_ISV_SVN + "},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
                + "{\"tcb\":{\"isvsvn\":0},\"tcbDate\":\"2023-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\"}]}";
        String tcbChain = SimulatedPki.pem(pki.tcbSigner, pki.root);
        byte[] rootCrl = pki.crl(pki.root, pki.rootKey.getPrivate(), List.of(), issue, next);
        byte[] pckCrl = pki.crl(pki.pckCa, pki.caKey.getPrivate(), revokedPcks, issue, next);
        return new Collateral(SimulatedPki.pem(pki.pckCa, pki.root), rootCrl, pckCrl, tcbChain, tcbInfo,
                SimulatedPki.signRaw(pki.tcbKey.getPrivate(), tcbInfo.getBytes(StandardCharsets.UTF_8)), tcbChain,
                qeIdentity, SimulatedPki.signRaw(pki.tcbKey.getPrivate(), qeIdentity.getBytes(StandardCharsets.UTF_8)),
                LABEL + " collateral");
    }

    private static String level(int[] sgx, int pceSvn, byte[] tdx, String status, String advisories) {
        var sb = new StringBuilder("{\"tcb\":{\"sgxtcbcomponents\":[");
        for (int i = 0; i < 16; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"svn\":").append(sgx[i]).append('}');
        }
        sb.append("],\"pcesvn\":").append(pceSvn).append(",\"tdxtcbcomponents\":[");
        for (int i = 0; i < 16; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"svn\":").append(tdx[i] & 0xff).append('}');
        }
        return sb.append("]},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"").append(status)
                .append("\",\"advisoryIDs\":[").append(advisories).append("]}").toString();
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            var md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
