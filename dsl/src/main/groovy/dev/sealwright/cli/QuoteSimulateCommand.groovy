package dev.sealwright.cli

import dev.sealwright.attest.dcap.Hex
import dev.sealwright.attest.sim.SimulatedTdxProvider
import dev.sealwright.attest.sim.TdxQuoteSimulation
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'simulate', mixinStandardHelpOptions = true,
        description = ['SIMULATED: write a structurally valid TDX v4 quote and its collateral, signed by a freshly generated',
                'test PKI (not Intel). For machines without a TEE; `quote verify` rejects it unless --trust-simulated.'])
class QuoteSimulateCommand implements Callable<Integer> {
    @Option(names = '--out', required = true, paramLabel = 'QUOTE', description = 'where to write the SIMULATED quote')
    Path out

    @Option(names = '--collateral-out', required = true, paramLabel = 'C.json', description = 'where to write its collateral (dcap-qvl JSON layout)')
    Path collateralOut

    @Mixin
    ForceOption overwrite

    @Option(names = '--report-data', paramLabel = 'HEX', description = 'REPORTDATA (up to 64 bytes, zero-padded; default zeros)')
    String reportData = ''

    @Option(names = '--mrtd', paramLabel = 'HEX', description = 'MRTD (48 bytes; default zeros)')
    String mrtd

    @Option(names = '--rtmr', paramLabel = 'N=HEX', description = 'RTMR N (48 bytes; default zeros; repeatable)')
    Map<Integer, String> rtmrs = [:]

    @Option(names = '--at', paramLabel = 'TIME', description = 'start of the collateral validity (30 days); default now')
    String at

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        json.wanted()
        overwrite.refuseExisting(out, collateralOut)
        byte[][] r = new byte[4][]
        (0..3).each { int i -> r[i] = hex("--rtmr ${i}", rtmrs[i], 48) }
        def result = TdxQuoteSimulation.write(new TdxQuoteSimulation.Request(hex('--report-data', reportData, 64), hex('--mrtd', mrtd, 48), r,
                at == null ? null : QuoteVerifyCommand.parseTime(at)), out, collateralOut)
        System.err.println "${SimulatedTdxProvider.LABEL}: ${out} is signed by a locally generated test PKI, not by a TEE; " +
                "verify it only with: sealwright quote verify ${out} --collateral ${collateralOut} --trust-simulated"
        if (json.wanted()) {
            json.print([simulated : true, quote: out.toString(), collateral: collateralOut.toString(),
                        valid_from: result.validFrom().toString(), valid_until: result.validUntil().toString()])
            return Main.OK
        }
        println "${SimulatedTdxProvider.LABEL} quote: ${out}"
        println "${SimulatedTdxProvider.LABEL} collateral: ${collateralOut} (valid ${result.validFrom()} .. ${result.validUntil()})"
        return Main.OK
    }

    /** Hex of at most {@code size} bytes (null when not given: the request's zeros); also {@code kbs simulate-quotes}' --mrtd and --rtmr. */
    static byte[] hex(String option, String hex, int size) {
        if (!hex) return null
        byte[] b
        try {
            b = Hex.parse(hex.toLowerCase().replaceFirst('^0x', ''))
        } catch (IllegalArgumentException e) {
            throw new UsageException("${option}: \"${hex}\" is not hex")
        }
        if (b.length > size) throw new UsageException("${option}: ${b.length} bytes, at most ${size}")
        return b
    }
}
