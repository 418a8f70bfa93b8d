package dev.sealwright.cli

import dev.sealwright.enroll.quex.ExternalVault
import dev.sealwright.enroll.quex.QuexClient
import dev.sealwright.enroll.quex.QuexEnrollment
import dev.sealwright.enroll.quex.ExpectedMeasurements
import dev.sealwright.enroll.quex.SimulatedSgxIdentity
import dev.sealwright.enroll.quex.SoftwareVault
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import dev.sealwright.tools.Tools

import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'enroll', mixinStandardHelpOptions = true,
        description = ['Enroll a key into a TD running the quex agent (port 24516), answered by the software vault with its SIMULATED SGX identity',
                '(--sim-identity) or by a vault program with quex-v1-vault\'s file contract (--vault-command, e.g. \'vault -s\').',
                'The TD report must first show DEBUG off and the expected MRTD/RTMR0..3 (--expected and/or hex values); the first mismatch refuses.'])
class EnrollCommand implements Callable<Integer> {
    @Option(names = '--host', description = 'TD address (default: ' + QuexEnrollment.DEFAULT_HOST + ')')
    String host

    @Option(names = '--port', description = 'TD agent port (default: 24516)')
    Integer port

    @Option(names = '--seed', required = true, paramLabel = 'FILE', description = 'vault seed (sealwright vault init, or the real vault\'s sealed seed.dat)')
    Path seed

    @Option(names = '--sim-identity', paramLabel = 'DIR', description = 'software vault: SIMULATED SGX vault identity (sealwright vault init --sim-identity)')
    Path identity

    @Option(names = '--vault-command', paramLabel = 'CMD', description = 'external vault run in a private directory holding seed.dat and key_req.dat; must write key_msg.dat and quote.dat')
    String vaultCommand

    @Option(names = '--expected', paramLabel = 'FILE', description = 'expected.json of measure tdx / a measure.tdx step')
    Path expected

    @Option(names = '--mrtd', paramLabel = 'HEX', description = 'expected MRTD (overrides --expected)')
    String mrtd

    @Option(names = '--rtmr', paramLabel = 'I=HEX', description = 'expected RTMR I (0-3), repeatable, e.g. --rtmr 1=ab12...')
    Map<Integer, String> rtmrs = [:]

    @Option(names = '--timeout', description = 'seconds (default: 60)')
    Integer timeout

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        Map<String, String> given = [:]
        if (mrtd) given.mrtd = mrtd
        rtmrs.each { Integer i, String hex ->
            if (i < 0 || i > 3) throw new UsageException("--rtmr ${i}: RTMR index must be 0-3")
            given["rtmr${i}".toString()] = hex
        }
        if (expected == null && given.isEmpty()) throw new UsageException('enroll: give the measurements the TD must report (--expected FILE, --mrtd HEX, --rtmr I=HEX)')
        if ((identity == null) == (vaultCommand == null)) throw new UsageException('enroll: give exactly one vault: --sim-identity DIR (software vault) or --vault-command CMD')
        if (expected != null) ExpectedMeasurements.fromPrediction(expected, given)   // a bad --expected file is named before the vault is opened
        QuexClient.Vault vault = vaultCommand != null
                ? new ExternalVault(vaultCommand.trim().split(/\s+/).toList(), seed, new Tools(), Duration.ofSeconds(timeout ?: QuexEnrollment.DEFAULT_TIMEOUT_SECONDS))
                : QuexClient.software(SoftwareVault.fromSeedFile(seed), SimulatedSgxIdentity.load(identity))
        String vaultName = vaultCommand != null ? "external (${vaultCommand})".toString() : 'software (SIMULATED SGX identity)'
        def result = QuexEnrollment.run(new QuexEnrollment.Request(host, port, vault, vaultName, expected, given, null, timeout))
        def e = result.enrollment()
        def want = result.expected()
        def r = e.request().report()
        Map<String, Object> out = result.document()
        if (json.wanted()) {
            json.print(out)       // schema docs/schemas/enroll.schema.json
        } else {
            println "enrolled ${result.address()} (vault: ${vaultName})"
            println "  TD public key  ${e.tdPublicKeyHex() ?: 'known only to the vault and the TD (the guest prints it from /var/data/quote.txt)'}"
            if (e.keySha256()) println "  key SHA-256    ${e.keySha256()}"
            println "  MRTD           ${out.mr_td}"
            want.compare(r).each { c -> println "  ${c.register().padRight(14)} ${c.expected() == null ? 'not checked' : 'match'}" }
        }
        return Main.OK
    }
}
