package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Full DCAP quote verification (Intel QVL order): PCK chain to the trusted root, CRLs, QE report
 * signature, attestation-key binding, quote signature, QE identity, TCB info signature and TCB
 * level matching. Every check is evaluated at an explicit time. A failing check throws
 * {@link QuoteRejectedException} naming it.
 */
public final class QuoteVerifier {

    private final X509Certificate root;
    private final boolean trustSimulated;
    private final SignatureCache cache = new SignatureCache();

    public QuoteVerifier(X509Certificate trustedRoot) {
        this(trustedRoot, false);
    }

    /**
     * {@code trustSimulated}: also accept a chain to a self-signed root whose CN starts with
     * {@code SIMULATED} (the test PKI of {@code dev.sealwright.attest.sim}); results are then marked
     * simulated. Off unless asked for explicitly.
     */
    public QuoteVerifier(X509Certificate trustedRoot, boolean trustSimulated) {
        this.root = trustedRoot;
        this.trustSimulated = trustSimulated;
    }

    static boolean isSimulatedRoot(X509Certificate c) {
        return Pki.commonName(c).startsWith("SIMULATED") && Pki.signedBy(c, c);
    }

    /** Trusting only the pinned Intel SGX Root CA. */
    public static QuoteVerifier intel() {
        return new QuoteVerifier(IntelRootCa.pinned());
    }

    /** Signatures and PCK chain only (no TCB status): what can be checked without collateral. */
    public QuoteVerification verifySignatures(Quote quote, Instant at) {
        var checks = new ArrayList<String>();
        List<X509Certificate> chain = pckChain(quote, at, checks);
        PckExtensions pck = PckExtensions.of(chain.get(0));
        signatures(quote, chain.get(0), checks);
        return new QuoteVerification(null, List.of(), null, null, null, pck, at, List.copyOf(checks),
                !chain.get(2).equals(root));
    }

    public QuoteVerification verify(Quote quote, Collateral collateral, Instant at) {
        var checks = new ArrayList<String>();
        List<X509Certificate> chain = pckChain(quote, at, checks);
        X509Certificate leaf = chain.get(0);
        PckExtensions pck = PckExtensions.of(leaf);
        X509Certificate anchor = chain.get(2);
        X509CRL rootCrl = crl(collateral.rootCaCrl(), anchor, "root-ca-crl", "root CA CRL", at);
        X509CRL pckCrl = crl(collateral.pckCrl(), pckCrlIssuer(collateral, chain.get(1), at), "pck-crl", "PCK CRL", at);
        notRevoked(rootCrl, chain.get(1), "root-ca-crl");
        notRevoked(pckCrl, leaf, "pck-crl");
        checks.add("root-ca-crl");
        checks.add("pck-crl");
        signatures(quote, leaf, checks);

        X509Certificate tcbSigner = signingChain(collateral.tcbInfoIssuerChain(), anchor, rootCrl, at, "tcb-info-signature");
        if (!cache.verifyRaw(tcbSigner.getPublicKey(), utf8(collateral.tcbInfoJson()), collateral.tcbInfoSignature())) {
            throw new QuoteRejectedException("tcb-info-signature", "TCB info signature does not verify with " + Pki.commonName(tcbSigner));
        }
        checks.add("tcb-info-signature");
        X509Certificate qeSigner = signingChain(collateral.qeIdentityIssuerChain(), anchor, rootCrl, at, "qe-identity-signature");
        if (!cache.verifyRaw(qeSigner.getPublicKey(), utf8(collateral.qeIdentityJson()), collateral.qeIdentitySignature())) {
            throw new QuoteRejectedException("qe-identity-signature", "QE identity signature does not verify with " + Pki.commonName(qeSigner));
        }
        checks.add("qe-identity-signature");

        QeIdentity qe = QeIdentity.parse(collateral.qeIdentityJson(), collateral.source());
        TcbInfo.IsvLevel qeLevel = qeIdentity(quote, qe, at);
        checks.add("qe-identity");
        TcbInfo tcb = TcbInfo.parse(collateral.tcbInfoJson(), collateral.source());
        var match = TcbLevelMatcher.match(quote, tcb, pck, at);
        checks.add("tcb-info");
        checks.add("tcb-level");
        if (match.module() != null) {
            checks.add("tdx-module");
        }

        TcbStatus status = match.platform().status();
        if (match.module() != null) {
            status = status.convergeWith(match.module().status());
        }
        status = status.convergeWith(qeLevel.status());
        var advisories = new LinkedHashSet<String>(match.platform().advisoryIds());
        if (match.module() != null) {
            advisories.addAll(match.module().advisoryIds());
        }
        advisories.addAll(qeLevel.advisoryIds());
        return new QuoteVerification(status, List.copyOf(advisories), match.platform().status(),
                match.module() == null ? null : match.module().status(), qeLevel.status(), pck, at, List.copyOf(checks),
                !anchor.equals(root));
    }

    private List<X509Certificate> pckChain(Quote quote, Instant at, List<String> checks) {
        if (!Arrays.equals(quote.header().qeVendorId(), QuoteHeader.INTEL_QE_VENDOR_ID)) {
            throw new QuoteRejectedException("quote-header", "QE vendor ID " + Hex.of(quote.header().qeVendorId()) + " is not Intel's");
        }
        var cert = quote.certification();
        if (cert.certificationDataType() != QeReportCertificationData.PCK_CERT_CHAIN) {
            throw new QuoteRejectedException("pck-chain", "certification data type " + cert.certificationDataType()
                    + " is not a PCK certificate chain (5)");
        }
        List<X509Certificate> chain;
        try {
            chain = Pki.pemChain(cert.certificationData(), "PCK chain");
        } catch (RecipeException e) {
            throw new QuoteRejectedException("pck-chain", e.getMessage());
        }
        if (chain.size() != 3) {
            throw new QuoteRejectedException("pck-chain", "PCK chain has " + chain.size() + " certificates (expected leaf, CA, root)");
        }
        boolean simulated = isSimulatedRoot(chain.get(2));
        if (simulated && !trustSimulated) {
            throw new QuoteRejectedException("pck-chain", "SIMULATED quote: its PCK chain ends at the test root \""
                    + Pki.commonName(chain.get(2)) + "\", which is trusted only when simulated quotes are explicitly allowed (--trust-simulated)");
        }
        if (!simulated && !Arrays.equals(Pki.encoded(chain.get(2)), Pki.encoded(root))) {
            throw new QuoteRejectedException("pck-chain", "PCK chain root \"" + Pki.commonName(chain.get(2))
                    + "\" is not the trusted root (SHA-256 " + Hex.of(Pki.sha256(Pki.encoded(root))) + ")");
        }
        String leafCn = Pki.commonName(chain.get(0)), caCn = Pki.commonName(chain.get(1));
        if (!leafCn.equals("Intel SGX PCK Certificate") || !(caCn.equals("Intel SGX PCK Platform CA")
                || caCn.equals("Intel SGX PCK Processor CA"))) {
            throw new QuoteRejectedException("pck-chain", "unexpected PCK chain names \"" + leafCn + "\" / \"" + caCn + "\"");
        }
        for (int i = 0; i < 3; i++) {
            var issuer = chain.get(Math.min(i + 1, 2));
            if (!cache.signedBy(chain.get(i), issuer)) {
                throw new QuoteRejectedException("pck-chain", "\"" + Pki.commonName(chain.get(i)) + "\" is not signed by \""
                        + Pki.commonName(issuer) + "\"");
            }
            valid(chain.get(i), at, "pck-chain");
        }
        if (chain.get(1).getBasicConstraints() < 0) {
            throw new QuoteRejectedException("pck-chain", "\"" + caCn + "\" is not a CA certificate");
        }
        checks.add("quote-header");
        checks.add("pck-chain");
        return chain;
    }

    private void signatures(Quote quote, X509Certificate leaf, List<String> checks) {
        var cert = quote.certification();
        // the QE report and its PCK signature are the same for every quote of one platform's QE: cacheable
        if (!cache.verifyRaw(leaf.getPublicKey(), cert.qeReport().toBytes(), cert.qeReportSignature())) {
            throw new QuoteRejectedException("qe-report-signature", "QE report signature does not verify with the PCK key");
        }
        checks.add("qe-report-signature");
        byte[] expected = Arrays.copyOf(Pki.sha256(quote.attestationKey(), cert.qeAuthData()), 64);
        if (!Arrays.equals(cert.qeReport().reportData(), expected)) {
            throw new QuoteRejectedException("attestation-key-binding",
                    "QE report data is not SHA-256(attestation key ‖ QE auth data) ‖ zeros");
        }
        checks.add("attestation-key-binding");
        if (!Pki.verifyRaw(Pki.p256Key(quote.attestationKey()), quote.signedRegion(), quote.signature())) {
            throw new QuoteRejectedException("quote-signature", "quote signature does not verify with the attestation key");
        }
        checks.add("quote-signature");
    }

    private X509Certificate pckCrlIssuer(Collateral c, X509Certificate pckCa, Instant at) {
        List<X509Certificate> chain;
        try {
            chain = Pki.pemChain(c.pckCrlIssuerChain(), "PCK CRL issuer chain");
        } catch (RecipeException e) {
            throw new QuoteRejectedException("pck-crl", e.getMessage());
        }
        X509Certificate issuer = chain.get(0);
        if (!issuer.equals(pckCa)) {
            throw new QuoteRejectedException("pck-crl", "PCK CRL issuer \"" + Pki.commonName(issuer)
                    + "\" is not the CA that issued the PCK certificate (\"" + Pki.commonName(pckCa) + "\")");
        }
        return issuer;
    }

    private X509CRL crl(byte[] der, X509Certificate issuer, String check, String what, Instant at) {
        X509CRL crl;
        try {
            crl = Pki.crl(der, what);
        } catch (RecipeException e) {
            throw new QuoteRejectedException(check, e.getMessage());
        }
        if (!cache.signedBy(crl, issuer)) {
            throw new QuoteRejectedException(check, what + " is not signed by \"" + Pki.commonName(issuer) + "\"");
        }
        Date now = Date.from(at);
        if (now.before(crl.getThisUpdate()) || crl.getNextUpdate() == null || now.after(crl.getNextUpdate())) {
            throw new QuoteRejectedException(check, what + " is not valid at " + at + " (" + crl.getThisUpdate().toInstant()
                    + " .. " + (crl.getNextUpdate() == null ? "?" : crl.getNextUpdate().toInstant()) + ")");
        }
        return crl;
    }

    private static void notRevoked(X509CRL crl, X509Certificate cert, String check) {
        if (crl.isRevoked(cert)) {
            throw new QuoteRejectedException(check, "\"" + Pki.commonName(cert) + "\" serial "
                    + cert.getSerialNumber().toString(16) + " is revoked");
        }
    }

    /** Intel SGX TCB Signing ‖ root: root must be the trusted one, the signer valid and not revoked. */
    private X509Certificate signingChain(String pem, X509Certificate anchor, X509CRL rootCrl, Instant at, String check) {
        List<X509Certificate> chain;
        try {
            chain = Pki.pemChain(pem, check + " issuer chain");
        } catch (RecipeException e) {
            throw new QuoteRejectedException(check, e.getMessage());
        }
        X509Certificate signer = chain.get(0);
        if (!Pki.commonName(signer).equals("Intel SGX TCB Signing")) {
            throw new QuoteRejectedException(check, "issuer chain starts with \"" + Pki.commonName(signer)
                    + "\", not \"Intel SGX TCB Signing\"");
        }
        if (!cache.signedBy(signer, anchor)) {
            throw new QuoteRejectedException(check, "\"Intel SGX TCB Signing\" is not signed by the trusted root");
        }
        valid(signer, at, check);
        notRevoked(rootCrl, signer, check);
        return signer;
    }

    private static void valid(X509Certificate c, Instant at, String check) {
        try {
            c.checkValidity(Date.from(at));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new QuoteRejectedException(check, "\"" + Pki.commonName(c) + "\" is not valid at " + at + " ("
                    + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant() + ")");
        }
    }

    private static TcbInfo.IsvLevel qeIdentity(Quote quote, QeIdentity qe, Instant at) {
        String check = "qe-identity";
        String expectedId = quote.isTdx() ? "TD_QE" : "QE";
        if (!qe.id().equals(expectedId)) {
            throw new QuoteRejectedException(check, "QE identity is for \"" + qe.id() + "\" but the quote needs \"" + expectedId + "\"");
        }
        if (at.isBefore(qe.issueDate()) || at.isAfter(qe.nextUpdate())) {
            throw new QuoteRejectedException(check, "QE identity is not valid at " + at + " (" + qe.issueDate() + " .. " + qe.nextUpdate() + ")");
        }
        SgxReportBody r = quote.certification().qeReport();
        if (!Arrays.equals(r.mrSigner(), qe.mrSigner())) {
            throw new QuoteRejectedException(check, "QE MRSIGNER " + Hex.of(r.mrSigner()) + " is not " + Hex.of(qe.mrSigner()));
        }
        if (r.isvProdId() != qe.isvProdId()) {
            throw new QuoteRejectedException(check, "QE ISVPRODID " + r.isvProdId() + " is not " + qe.isvProdId());
        }
        if ((r.miscSelect() & qe.miscSelectMask()) != qe.miscSelect()) {
            throw new QuoteRejectedException(check, String.format("QE MISCSELECT 0x%08x does not match 0x%08x under mask",
                    r.miscSelect(), qe.miscSelect()));
        }
        if (!maskedEquals(r.attributes(), qe.attributesMask(), qe.attributes())) {
            throw new QuoteRejectedException(check, "QE attributes " + Hex.of(r.attributes()) + " do not match "
                    + Hex.of(qe.attributes()) + " under mask");
        }
        for (var level : qe.levels()) {
            if (r.isvSvn() >= level.isvSvn()) {
                return level;
            }
        }
        throw new QuoteRejectedException(check, "QE ISVSVN " + r.isvSvn() + " is below every QE identity TCB level");
    }

    static boolean maskedEquals(byte[] value, byte[] mask, byte[] expected) {
        if (value.length != mask.length || mask.length != expected.length) {
            return false;
        }
        for (int i = 0; i < value.length; i++) {
            if ((value[i] & mask[i]) != (expected[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
