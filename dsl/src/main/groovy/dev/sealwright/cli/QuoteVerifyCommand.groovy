package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.attest.dcap.Collateral
import dev.sealwright.attest.dcap.Hex
import dev.sealwright.attest.dcap.IntelRootCa
import dev.sealwright.attest.dcap.PcsClient
import dev.sealwright.attest.dcap.Quote
import dev.sealwright.attest.dcap.QuoteRejectedException
import dev.sealwright.attest.dcap.QuoteVerification
import dev.sealwright.attest.dcap.QuoteVerifier
import dev.sealwright.attest.dcap.TcbStatus
import dev.sealwright.attest.dcap.QuotePolicy
import dev.sealwright.base.Json
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.time.Instant
import java.time.format.DateTimeParseException
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'verify', mixinStandardHelpOptions = true,
        description = ['Verify a DCAP quote: PCK chain to the Intel SGX Root CA, CRLs, QE report, attestation key,',
                'quote signature, QE identity and TCB info -> TCB status with advisory IDs; then policy checks.',
                'Exit 0 when verified and accepted, 1 when rejected (the failing check is named).'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright quote verify quote.bin --collateral collateral.json --json', '  sealwright quote verify quote.bin --pcs https://api.trustedservices.intel.com --mrtd HEX --rtmr 0=HEX'])
class QuoteVerifyCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'QUOTE', description = 'quote file (binary, or hex text)')
    Path file

    @Option(names = '--collateral', paramLabel = 'C', description = ['collateral: a dcap-qvl collateral JSON file, or a directory of PCS responses',
            '(tcb_info.json|sample_tcbInfo_response, qe_identity.json|sample_qeIdentity_response, pckcrl, rootcrl.der, *_issuer_chain.pem);',
            'without it only the PCK chain and signatures are checked and no TCB status is given'])
    Path collateral

    @Option(names = '--pcs', paramLabel = 'URL', description = 'fetch the collateral from this Intel PCS or PCCS base URL (v4 API) instead')
    URI pcs

    @Option(names = '--at', paramLabel = 'TIME', description = 'verification time, ISO-8601 (2025-07-19T10:00:34Z) or unix seconds; default now')
    String at

    @Option(names = '--root', paramLabel = 'ROOT', description = 'trust this root certificate (PEM or DER) instead of the pinned Intel SGX Root CA')
    Path root

    @Option(names = '--trust-simulated', description = 'also trust the SIMULATED test root of `quote simulate` (results are labelled SIMULATED)')
    boolean trustSimulated

    @Option(names = '--accept', split = ',', paramLabel = 'STATUS', description = 'acceptable TCB statuses (default: all but Revoked)')
    List<TcbStatus> accept

    @Option(names = '--policy', paramLabel = 'JSON', description = 'expected values: mrtd, rtmr0..3, report_data, xfam, allow_debug (top level or under "tdx")')
    Path policyFile

    @Option(names = '--mrtd', paramLabel = 'HEX', description = 'expected MRTD')
    String mrtd

    @Option(names = '--rtmr', paramLabel = 'N=HEX', description = 'expected RTMR N (repeatable)')
    Map<Integer, String> rtmrs

    @Option(names = '--report-data', paramLabel = 'HEX', description = 'expected REPORTDATA (up to 64 bytes, zero-padded)')
    String reportData

    @Option(names = '--report-data-sha512', paramLabel = 'FILE', description = 'expected REPORTDATA = SHA-512 of FILE')
    Path reportDataSha512

    @Option(names = '--allow-debug', description = 'accept a TD/enclave with DEBUG set')
    boolean allowDebug

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        json.wanted()
        Instant when = parseTime(at)
        def quote = Quote.readFile(file)
        def verifier = new QuoteVerifier(root == null ? IntelRootCa.pinned() : IntelRootCa.fromFile(root), trustSimulated)
        QuoteVerification v
        List<String> policyChecks
        try {
            if (collateral != null && pcs != null) throw new UsageException('give --collateral or --pcs, not both')
            Collateral c = collateral != null ? Collateral.read(collateral) : pcs != null ? new PcsClient(pcs).fetch(quote) : null
            v = c == null ? verifier.verifySignatures(quote, when) : verifier.verify(quote, c, when)
            policyChecks = policy().check(quote, v)
        } catch (QuoteRejectedException e) {
            if (json.wanted()) json.print([verified: false, check: e.check(), reason: e.message])
            throw new RecipeException("${file}: ${e.message}")
        }
        Map<String, Object> fields = v.fields()
        fields.put('policy_checks', policyChecks)
        Map<String, Object> parsed = quote.fields()
        fields.put('body_type', parsed.get('body_type'))     // what was verified: the report body (MRTD, RTMRs, REPORTDATA, attributes)
        fields.put('report', parsed.get('body'))
        if (json.wanted()) {
            json.print(fields)
        } else {
            String status = v.status() == null ? 'TCB status not evaluated (no --collateral or --pcs)' : "TCB status ${v.status()}"
            println "${v.simulated() ? 'SIMULATED ' : ''}${file}: verified at ${when}: ${status}, advisories: ${v.advisoryIds() ?: 'none'}"
            QuoteCommand.printFields(fields)
        }
        return Main.OK
    }

    private QuotePolicy policy() {
        def p = QuotePolicy.none()
        if (accept) p = p.withAccepted(EnumSet.copyOf(accept))
        if (policyFile) p = p.withJson(policyFile)
        if (mrtd) p = p.withMrTd(hex('--mrtd', mrtd))
        rtmrs?.each { Integer i, String h ->
            if (i < 0 || i > 3) throw new UsageException("--rtmr ${i}: RTMR index must be 0..3")
            p = p.withRtmr(i, hex('--rtmr', h))
        }
        if (reportData) p = p.withReportData(hex('--report-data', reportData))
        if (reportDataSha512) p = p.withReportData(InputFiles.digest(reportDataSha512, 'SHA-512'))
        if (allowDebug) p = p.withAllowDebug(true)
        return p
    }

    private static byte[] hex(String option, String value) {
        try {
            return Hex.parse(value.toLowerCase().replaceFirst('^0x', ''))
        } catch (IllegalArgumentException e) {
            throw new UsageException("${option}: \"${value}\" is not hex")
        }
    }

    static Instant parseTime(String s) {
        if (s == null) return Instant.now()
        if (s ==~ /\d+/) return Instant.ofEpochSecond(Long.parseLong(s))
        try {
            return Instant.parse(s)
        } catch (DateTimeParseException e) {
            throw new UsageException("--at ${s}: not an ISO-8601 instant (e.g. 2025-07-19T10:00:34Z) or unix seconds")
        }
    }
}
