package dev.sealwright.cli

import dev.sealwright.attest.snp.AmdCertificates
import dev.sealwright.attest.snp.ReportExpectations
import dev.sealwright.attest.snp.ReportFiles
import dev.sealwright.attest.snp.ReportVerification
import dev.sealwright.attest.snp.ReportVerifier
import dev.sealwright.base.Json
import dev.sealwright.measure.snp.ByteValues
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.time.Instant
import java.time.format.DateTimeParseException
import java.util.concurrent.Callable

/** snpguest verify equivalent: chain, signature, TCB, policy and expected values of an SNP report. */
@CompileStatic
@Command(name = 'snp', mixinStandardHelpOptions = true,
        description = ['Verify an SEV-SNP attestation report: AMD chain (pinned ARK), VCEK/VLEK signature, chip id, TCB, policy, expected values.',
                'REPORT may be raw (1184 bytes), hex text, or the sev crate\'s JSON. Exit 0 if every check passes, 1 otherwise.'])
class AttestSnpCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'REPORT', description = 'attestation report file')
    Path report

    @Option(names = '--vcek', required = true, paramLabel = 'CERT', description = 'VCEK or VLEK certificate (DER or PEM)')
    Path vcek

    @Option(names = '--chain', required = true, paramLabel = 'PEM', description = 'ASK (or ASVK) and ARK, as KDS cert_chain serves them')
    Path chain

    @Option(names = '--expect-measurement', paramLabel = 'LD', description = 'expected launch digest (hex or base64)')
    String expectMeasurement

    @Option(names = '--expect-policy', paramLabel = 'HEX', description = 'expected guest policy')
    String expectPolicy

    @Option(names = '--expect-report-data', paramLabel = 'HEX', description = 'expected REPORT_DATA (up to 64 bytes, zero-padded)')
    String expectReportData

    @Option(names = '--expect-host-data', paramLabel = 'HEX', description = 'expected HOST_DATA (32 bytes)')
    String expectHostData

    @Option(names = '--allow-debug', description = 'accept a policy that allows debugging')
    boolean allowDebug

    @Option(names = '--trust-simulated', description = 'also trust the SIMULATED test ARK of `snp simulate` (results are labelled SIMULATED)')
    boolean trustSimulated

    @Option(names = '--at', paramLabel = 'TIME', description = 'check certificate validity at this ISO-8601 instant instead of now')
    String at

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        json.wanted()
        def e = ReportExpectations.none().withAllowDebug(allowDebug).withTrustSimulated(trustSimulated)
        if (expectMeasurement) e = e.withMeasurement(ByteValues.hexOrBase64('--expect-measurement', expectMeasurement, 48))
        if (expectPolicy) e = e.withPolicy(ByteValues.number('--expect-policy', expectPolicy))
        if (expectReportData) e = e.withReportData(ByteValues.hexPadded('--expect-report-data', expectReportData, 64))
        if (expectHostData) e = e.withHostData(ByteValues.hexOrBase64('--expect-host-data', expectHostData, 32))
        if (at) {
            try {
                e = e.at(Instant.parse(at))
            } catch (DateTimeParseException ex) {
                throw new UsageException("--at must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '${at}'")
            }
        }
        byte[] raw = ReportFiles.read(report)
        ReportVerification v = ReportVerifier.verify(raw, AmdCertificates.readOne(vcek), AmdCertificates.readAll(chain), e)
        if (json.wanted()) {
            json.print(v.toMap())
        } else {
            v.checks().each { ReportVerification.Check c -> println "${c.ok() ? 'ok  ' : 'FAIL'} ${c.name().padRight(12)} ${c.detail()}" }
            if (v.failures().any { it.name() in ['signature', 'chip-id', 'tcb'] } && v.generation() != null && v.report().signingKey() == 0)
                println "the VCEK for this report's chip and TCB: ${v.report().kdsVcekUrl(v.generation())}"
            String label = v.simulated() ? 'SIMULATED ' : ''
            println v.ok() ? "${label}verified: ${report}${v.simulated() ? ' (test chain, not AMD: no hardware guarantee)' : ''}"
                    : "${label}NOT verified: ${report}: ${v.failures()*.name().join(', ')} failed"
        }
        return v.ok() ? Main.OK : Main.FAILED
    }
}
