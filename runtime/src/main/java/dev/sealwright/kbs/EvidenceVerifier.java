package dev.sealwright.kbs;

import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.attest.dcap.QuoteRejectedException;
import dev.sealwright.attest.dcap.QuoteVerification;
import dev.sealwright.attest.dcap.QuoteVerifier;
import dev.sealwright.attest.snp.AttestationReport;
import dev.sealwright.attest.snp.ReportExpectations;
import dev.sealwright.attest.snp.ReportVerification;
import dev.sealwright.attest.snp.ReportVerifier;
import dev.sealwright.base.RecipeException;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * Appraises evidence for one challenge with the Attest component: the quote or report must verify
 * (TDX: DCAP with collateral, to Intel's root or — only when the policy says so — the SIMULATED
 * test root; SNP: VCEK → ASK → pinned ARK), its REPORTDATA must equal SHA-512(nonce ‖ TEE public
 * key), and it must meet the resource's policy. Any failure is a {@link KbsRefusal} naming it.
 */
public final class EvidenceVerifier {
    /** What was established, for the audit log and the response. */
    public record Appraisal(String tcbStatus, boolean simulated) {}

    private static final java.util.Set<String> POLICY_CHECKS = java.util.Set.of("measurement", "policy");
    private final KbsPolicy policy;
    private final QuoteVerifier tdxVerifier;

    public EvidenceVerifier(KbsPolicy policy) {
        this.policy = policy;
        this.tdxVerifier = policy.tdx() == null ? null : new QuoteVerifier(policy.tdx().root(), policy.tdx().trustSimulated());
    }

    /** REPORTDATA the evidence must carry: SHA-512(nonce ‖ TEE public key). */
    public static byte[] expectedReportData(byte[] nonce, byte[] teePublicKey) {
        try {
            var md = MessageDigest.getInstance("SHA-512");
            md.update(nonce);
            md.update(teePublicKey);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Appraisal appraise(KbsStore.Challenge c, KbsPolicy.ResourcePolicy rule, byte[] evidence, byte[] vcek, Instant now) {
        byte[] binding = expectedReportData(c.nonce(), c.teePublicKey());
        return c.tee().equals("tdx") ? tdx(rule, evidence, binding, now) : snp(rule, evidence, vcek, binding, now);
    }

    private Appraisal tdx(KbsPolicy.ResourcePolicy rule, byte[] evidence, byte[] binding, Instant now) {
        Quote quote;
        try {
            quote = Quote.read(evidence, "evidence");
        } catch (RecipeException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new KbsRefusal(400, "evidence is not a DCAP quote: " + e.getMessage());
        }
        if (!quote.isTdx()) {
            throw new KbsRefusal(400, "evidence is an SGX quote, not a TDX quote");
        }
        QuoteVerification v;
        try {
            v = tdxVerifier.verify(quote, policy.tdx().collateral(), now);
        } catch (QuoteRejectedException e) {
            String hint = e.check().equals("pck-chain") && !policy.tdx().trustSimulated() && simulatedLabel(quote)
                    ? " (SIMULATED quote; the policy does not set tdx.trust_simulated)" : "";
            throw new KbsRefusal(403, "attestation: " + e.check() + ": " + detail(e) + hint);
        } catch (RecipeException e) {
            throw new KbsRefusal(403, "attestation: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(quote.reportData(), binding)) {
            throw new KbsRefusal(403, "binding: evidence REPORTDATA is not SHA-512(nonce ‖ TEE public key)");
        }
        try {
            rule.tdx().check(quote, v);
        } catch (QuoteRejectedException e) {
            throw new KbsRefusal(403, "policy: " + detail(e));
        }
        return new Appraisal(v.status() == null ? null : v.status().name(), v.simulated());
    }

    private Appraisal snp(KbsPolicy.ResourcePolicy rule, byte[] evidence, byte[] vcekDer, byte[] binding, Instant now) {
        if (evidence.length != AttestationReport.SIZE) {
            throw new KbsRefusal(400, "evidence is " + evidence.length + " bytes, an SNP report is " + AttestationReport.SIZE);
        }
        if (vcekDer == null) {
            throw new KbsRefusal(400, "SNP evidence needs \"vcek\" (the VCEK certificate, DER, base64)");
        }
        X509Certificate vcek;
        try {
            vcek = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(vcekDer));
        } catch (CertificateException | ClassCastException e) {
            throw new KbsRefusal(400, "\"vcek\" is not an X.509 certificate");
        }
        var expect = ReportExpectations.none().withMeasurement(rule.snpMeasurement()).withReportData(binding)
                .withAllowDebug(rule.allowDebug()).at(now);
        ReportVerification v;
        try {
            v = ReportVerifier.verify(evidence, vcek, policy.snp().caChain(), expect);
        } catch (RecipeException | IllegalArgumentException e) {
            throw new KbsRefusal(400, "evidence is not an SNP report: " + e.getMessage());
        }
        // attestation failures first, then the nonce binding, then the resource policy
        var failures = v.failures();
        for (ReportVerification.Check check : failures) {
            if (!POLICY_CHECKS.contains(check.name()) && !check.name().equals("report-data")) {
                throw new KbsRefusal(403, "attestation: " + check.name() + ": " + check.detail());
            }
        }
        if (failures.stream().anyMatch(c -> c.name().equals("report-data"))) {
            throw new KbsRefusal(403, "binding: evidence REPORT_DATA is not SHA-512(nonce ‖ TEE public key)");
        }
        if (!failures.isEmpty()) {
            throw new KbsRefusal(403, "policy: " + failures.get(0).name() + ": " + failures.get(0).detail());
        }
        return new Appraisal(null, false);
    }

    private static boolean simulatedLabel(Quote q) {
        return new String(q.header().userData(), java.nio.charset.StandardCharsets.US_ASCII).startsWith("SIMULATED");
    }

    private static String detail(QuoteRejectedException e) {
        String prefix = "quote rejected: " + e.check() + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
