package dev.sealwright.cli

import dev.sealwright.attest.sim.SimulatedSnpProvider
import dev.sealwright.attest.sim.SnpReportSimulation
import dev.sealwright.measure.snp.ByteValues
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

/** The SNP counterpart of {@code quote simulate}: a report, VCEK and chain from a fresh SIMULATED test chain. */
@CompileStatic
@Command(name = 'simulate', mixinStandardHelpOptions = true,
        description = ['SIMULATED: write a structurally valid SEV-SNP attestation report (version 3, Milan) signed by the VCEK of a',
                'freshly generated test chain (not AMD), plus that VCEK and the ASK/ARK chain. For machines without SNP firmware;',
                '`attest snp` rejects it unless --trust-simulated.'])
class SnpSimulateCommand implements Callable<Integer> {
    @Option(names = '--out', required = true, paramLabel = 'REPORT', description = 'where to write the SIMULATED report (1184 bytes)')
    Path out

    @Option(names = '--vcek-out', required = true, paramLabel = 'VCEK.pem', description = 'where to write its VCEK')
    Path vcekOut

    @Option(names = '--chain-out', required = true, paramLabel = 'ASK_ARK.pem', description = 'where to write the ASK and ARK')
    Path chainOut

    @Mixin
    ForceOption overwrite

    @Option(names = '--measurement', paramLabel = 'LD', description = 'launch digest (48 bytes hex or base64; default zeros)')
    String measurement

    @Option(names = '--report-data', paramLabel = 'HEX', description = 'REPORT_DATA (up to 64 bytes, zero-padded; default zeros)')
    String reportData

    @Option(names = '--host-data', paramLabel = 'HEX', description = 'HOST_DATA (32 bytes; default zeros)')
    String hostData

    @Option(names = '--policy', paramLabel = 'HEX', description = 'guest policy (default 0x30000: debug off)')
    String policy

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        json.wanted()
        overwrite.refuseExisting(out, vcekOut, chainOut)
        SnpReportSimulation.write(new SnpReportSimulation.Request(
                reportData ? ByteValues.hexPadded('--report-data', reportData, 64) : null,
                measurement ? ByteValues.hexOrBase64('--measurement', measurement, 48) : null,
                hostData ? ByteValues.hexOrBase64('--host-data', hostData, 32) : null,
                policy ? ByteValues.number('--policy', policy) : null, null), out, vcekOut, chainOut)
        System.err.println "${SimulatedSnpProvider.LABEL}: ${out} is signed by a locally generated test chain, not by SNP firmware; " +
                "verify it only with: sealwright attest snp ${out} --vcek ${vcekOut} --chain ${chainOut} --trust-simulated"
        if (json.wanted()) {
            json.print([simulated: true, report: out.toString(), vcek: vcekOut.toString(), chain: chainOut.toString()])
            return Main.OK
        }
        println "${SimulatedSnpProvider.LABEL} report: ${out}"
        println "${SimulatedSnpProvider.LABEL} VCEK: ${vcekOut}"
        println "${SimulatedSnpProvider.LABEL} chain: ${chainOut}"
        return Main.OK
    }
}
