package dev.sealwright.attest.snp;

import dev.sealwright.snp.SnpSignature;
import dev.sealwright.snp.SnpPolicy;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Verifies an SNP attestation report: the AMD chain ARK (self-signed, pinned) → ASK/ASVK → VCEK/VLEK
 * (RSASSA-PSS SHA-384), the report's ECDSA P-384 signature, the VCEK's chip id and TCB extensions
 * against the report, the guest policy, and the caller's expected values.
 */
public final class ReportVerifier {
    private ReportVerifier() {}

    /** {@code raw} is the report as signed (1184 bytes); {@code chain} holds ASK and ARK in any order. */
    public static ReportVerification verify(byte[] raw, X509Certificate vcek, List<X509Certificate> chain, ReportExpectations expect) {
        AttestationReport report = AttestationReport.read(raw);
        List<ReportVerification.Check> checks = new ArrayList<>();
        Instant at = expect.at() == null ? Instant.now() : expect.at();
        VcekExtensions ext = VcekExtensions.of(vcek);
        ProductGeneration gen = ProductGeneration.fromProductName(ext.productName());
        if (gen == null) gen = report.generationHint();

        checks.addAll(verifyChain(vcek, chain, at, expect.trustSimulated()));
        reportFormat(report, ext, checks);
        signature(raw, report, vcek, checks);
        chipAndTcb(report, ext, gen == null ? ProductGeneration.MILAN : gen, checks);
        policy(report, expect, checks);
        expected(report, expect, checks);
        boolean simulated = chain.stream().anyMatch(ReportVerifier::isSimulatedArk);
        return new ReportVerification(report, gen, List.copyOf(checks), simulated);
    }

    /**
     * Checks the AMD CA part of a chain file: the self-signed ARK is a pinned AMD root and signs the
     * ASK (or, for VLEKs, the ASVK). Returns the checks and, if found, the ASK.
     */
    public static X509Certificate verifyCa(List<X509Certificate> chain, List<ReportVerification.Check> checks) {
        return verifyCa(chain, checks, false);
    }

    /**
     * As {@link #verifyCa(List, List)}; {@code trustSimulated} also accepts sealwright's SIMULATED test
     * ARK (a self-signed root whose CN starts with {@code SIMULATED}), reported as such.
     */
    public static X509Certificate verifyCa(List<X509Certificate> chain, List<ReportVerification.Check> checks, boolean trustSimulated) {
        X509Certificate ark = chain.stream().filter(ReportVerifier::selfSigned).findFirst().orElse(null);
        X509Certificate ask = chain.stream().filter(c -> c != ark).findFirst().orElse(null);
        if (ark == null || ask == null || chain.size() != 2) {
            checks.add(new ReportVerification.Check("chain", false, "the chain must hold the ASK (or ASVK) and the self-signed ARK; got "
                    + chain.size() + " certificates" + (ark == null ? ", none self-signed" : "")));
            return null;
        }
        String fp = AmdCertificates.fingerprint(ark);
        ProductGeneration arkGen = AmdCertificates.KNOWN_ARKS.get(fp);
        if (arkGen == null && isSimulatedArk(ark)) {
            checks.add(new ReportVerification.Check("ark", trustSimulated && pss(ark), trustSimulated
                    ? "SIMULATED test root " + cn(ark) + " (trusted because simulated reports were explicitly allowed; not AMD)"
                    : "SIMULATED report: its chain ends at the test root \"" + cn(ark) + "\", which is trusted only when simulated reports are explicitly allowed (--trust-simulated)"));
        } else {
            checks.add(new ReportVerification.Check("ark", arkGen != null && pss(ark),
                    arkGen != null ? "self-signed AMD root " + cn(ark) + " (sha256 " + fp.substring(0, 16) + "...)"
                            : "self-signed " + cn(ark) + " is not a known AMD ARK (sha256 " + fp + ")"));
        }
        boolean askOk = signedBy(ask, ark);
        checks.add(new ReportVerification.Check("ask", askOk, cn(ask) + (askOk ? " is signed by " : " is NOT signed by ") + cn(ark)));
        return ask;
    }

    /** CA checks, then the VCEK/VLEK signed by the ASK, then every certificate's validity at {@code at}. */
    public static List<ReportVerification.Check> verifyChain(X509Certificate vcek, List<X509Certificate> chain, Instant at) {
        return verifyChain(vcek, chain, at, false);
    }

    public static List<ReportVerification.Check> verifyChain(X509Certificate vcek, List<X509Certificate> chain, Instant at, boolean trustSimulated) {
        List<ReportVerification.Check> checks = new ArrayList<>();
        X509Certificate ask = verifyCa(chain, checks, trustSimulated);
        if (ask == null) return checks;
        boolean vcekOk = signedBy(vcek, ask);
        checks.add(new ReportVerification.Check("vcek", vcekOk, cn(vcek) + (vcekOk ? " is signed by " : " is NOT signed by ") + cn(ask)));
        List<String> expired = new ArrayList<>();
        for (X509Certificate c : chain.size() == 2 ? List.of(vcek, chain.get(0), chain.get(1)) : List.of(vcek)) {
            try {
                c.checkValidity(Date.from(at));
            } catch (GeneralSecurityException e) {
                expired.add(cn(c) + " is not valid at " + at + " (" + c.getNotBefore().toInstant() + ".." + c.getNotAfter().toInstant() + ")");
            }
        }
        checks.add(new ReportVerification.Check("validity", expired.isEmpty(), expired.isEmpty() ? "all certificates valid at " + at : String.join("; ", expired)));
        return checks;
    }

    private static void reportFormat(AttestationReport r, VcekExtensions ext, List<ReportVerification.Check> checks) {
        List<String> problems = new ArrayList<>();
        if (r.signatureAlgo() != AttestationReport.SIG_ALGO_ECDSA_P384_SHA384) problems.add("signature algorithm " + r.signatureAlgo() + " is not ECDSA P-384/SHA-384 (1)");
        if ((r.keyInfo() & ~0x1F) != 0) problems.add(String.format("reserved key-info bits 0x%X are set", r.keyInfo() & ~0x1F));
        int expectedKey = ext.isVlek() ? AttestationReport.SIGNING_KEY_VLEK : AttestationReport.SIGNING_KEY_VCEK;
        if (r.signingKey() != expectedKey)
            problems.add("the report says it is signed by " + keyName(r.signingKey()) + " but the certificate is a " + keyName(expectedKey));
        checks.add(new ReportVerification.Check("format", problems.isEmpty(),
                problems.isEmpty() ? "version " + r.version() + ", ECDSA P-384, signed by " + keyName(r.signingKey()) : String.join("; ", problems)));
    }

    private static void signature(byte[] raw, AttestationReport r, X509Certificate vcek, List<ReportVerification.Check> checks) {
        if (!(vcek.getPublicKey() instanceof ECPublicKey key) || key.getParams().getCurve().getField().getFieldSize() != 384) {
            checks.add(new ReportVerification.Check("signature", false, cn(vcek) + " does not hold an EC P-384 key"));
            return;
        }
        boolean ok = SnpSignature.verify(key, Arrays.copyOf(raw, AttestationReport.SIGNED_SIZE), r.signature());
        checks.add(new ReportVerification.Check("signature", ok, ok ? "ECDSA P-384 signature over bytes 0x000-0x29F verifies with " + cn(vcek)
                : "the report signature does not verify with " + cn(vcek) + " (report altered, or a different chip's key)"));
    }

    private static void chipAndTcb(AttestationReport r, VcekExtensions ext, ProductGeneration gen, List<ReportVerification.Check> checks) {
        HexFormat hex = HexFormat.of();
        if (!ext.isVlek()) {
            byte[] chip = gen == ProductGeneration.TURIN ? Arrays.copyOf(r.chipId(), 8) : r.chipId();
            if (r.maskChipKey() || isZero(r.chipId())) {
                checks.add(new ReportVerification.Check("chip-id", true, "chip id masked in the report; not compared"));
            } else {
                boolean ok = ext.hwId() != null && Arrays.equals(ext.hwId(), chip);
                checks.add(new ReportVerification.Check("chip-id", ok, ok ? "VCEK hwID equals the report's chip id"
                        : "VCEK hwID " + (ext.hwId() == null ? "missing" : hex.formatHex(ext.hwId())) + " differs from the report's chip id " + hex.formatHex(chip)));
            }
        }
        TcbVersion tcb = new TcbVersion(r.reportedTcb(), gen);
        List<String> diff = new ArrayList<>();
        compare(diff, "boot loader", ext.bootLoader(), tcb.bootLoader());
        compare(diff, "TEE", ext.tee(), tcb.tee());
        compare(diff, "SNP", ext.snp(), tcb.snp());
        compare(diff, "microcode", ext.microcode(), tcb.microcode());
        if (gen.hasFmc()) compare(diff, "FMC", ext.fmc(), tcb.fmc());
        checks.add(new ReportVerification.Check("tcb", diff.isEmpty(), diff.isEmpty() ? "certificate TCB equals reported TCB (" + tcb + ")"
                : "certificate TCB differs from reported TCB " + tcb + ": " + String.join(", ", diff)));
    }

    private static void compare(List<String> diff, String name, Integer cert, Integer report) {
        if (!Objects.equals(cert, report)) diff.add(name + " " + cert + " in the certificate vs " + report + " in the report");
    }

    private static void policy(AttestationReport r, ReportExpectations e, List<ReportVerification.Check> checks) {
        long p = r.policy();
        List<String> problems = new ArrayList<>();
        if ((p & SnpPolicy.RESERVED_ONE) == 0) problems.add("reserved bit 17 must be 1");
        if ((p & SnpPolicy.MBZ) != 0) problems.add(String.format("reserved bits 0x%X must be 0", p & SnpPolicy.MBZ));
        if ((p & SnpPolicy.DEBUG) != 0 && !e.allowDebug()) problems.add("debugging is allowed (bit 19): the guest's memory is readable by the host; pass --allow-debug to accept");
        if (e.policy() != null && e.policy() != p) problems.add(String.format("expected 0x%X", e.policy()));
        checks.add(new ReportVerification.Check("policy", problems.isEmpty(), String.format("policy 0x%X %s", p, SnpPolicy.describe(p))
                + (problems.isEmpty() ? "" : ": " + String.join("; ", problems))));
    }

    private static void expected(AttestationReport r, ReportExpectations e, List<ReportVerification.Check> checks) {
        equal(checks, "measurement", e.measurement(), r.measurement());
        if (e.reportData() != null) equal(checks, "report-data", Arrays.copyOf(e.reportData(), 64), r.reportData());
        equal(checks, "host-data", e.hostData(), r.hostData());
    }

    private static void equal(List<ReportVerification.Check> checks, String name, byte[] expected, byte[] actual) {
        if (expected == null) return;
        HexFormat hex = HexFormat.of();
        boolean ok = MessageDigest.isEqual(expected, actual);
        checks.add(new ReportVerification.Check(name, ok, ok ? name + " " + hex.formatHex(actual)
                : name + " " + hex.formatHex(actual) + " differs from the expected " + hex.formatHex(expected)));
    }

    /** sealwright's SIMULATED test ARK ({@code dev.sealwright.attest.sim}): self-signed, CN starting with SIMULATED. */
    static boolean isSimulatedArk(X509Certificate c) {
        return cn(c).startsWith("SIMULATED") && selfSigned(c);
    }

    static boolean selfSigned(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signedBy(c, c);
    }

    static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        if (!pss(cert)) return false;
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** AMD signs with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48; anything else is rejected. */
    static boolean pss(X509Certificate c) {
        if (!AmdCertificates.RSA_PSS_OID.equals(c.getSigAlgOID()) || c.getSigAlgParams() == null) return false;
        RSASSAPSSparams p = RSASSAPSSparams.getInstance(c.getSigAlgParams());
        return p.getHashAlgorithm().getAlgorithm().equals(NISTObjectIdentifiers.id_sha384) && p.getSaltLength().intValueExact() == 48;
    }

    private static String cn(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName();
        for (String part : dn.split(",")) if (part.trim().startsWith("CN=")) return part.trim().substring(3);
        return dn;
    }

    private static String keyName(int k) {
        return k == AttestationReport.SIGNING_KEY_VCEK ? "VCEK" : k == AttestationReport.SIGNING_KEY_VLEK ? "VLEK" : k == AttestationReport.SIGNING_KEY_NONE ? "no key" : "reserved key " + k;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }
}
