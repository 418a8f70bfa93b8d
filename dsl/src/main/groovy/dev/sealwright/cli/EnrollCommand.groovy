package dev.sealwright.cli

import dev.sealwright.engine.Json
import dev.sealwright.enroll.quex.QuexClient
import dev.sealwright.enroll.quex.SimulatedSgxIdentity
import dev.sealwright.enroll.quex.SoftwareVault
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'enroll', mixinStandardHelpOptions = true,
        description = ['Enroll a key into a TD running the quex agent (port 24516), answered by the software vault with its SIMULATED SGX identity.'])
class EnrollCommand implements Callable<Integer> {
    @Option(names = '--host', defaultValue = '127.0.0.1', description = 'TD address (default: ${DEFAULT-VALUE})')
    String host

    @Option(names = '--port', defaultValue = '24516', description = 'TD agent port (default: ${DEFAULT-VALUE})')
    int port

    @Option(names = '--seed', required = true, paramLabel = 'FILE', description = 'vault seed (sealwright vault init)')
    Path seed

    @Option(names = '--sim-identity', required = true, paramLabel = 'DIR', description = 'SIMULATED SGX vault identity (sealwright vault init --sim-identity)')
    Path identity

    @Option(names = '--timeout', defaultValue = '30', description = 'seconds (default: ${DEFAULT-VALUE})')
    int timeout

    @Option(names = '--json', description = 'print the enrollment as JSON')
    boolean json

    @Override
    Integer call() {
        def e = QuexClient.enroll(host, port, QuexClient.software(SoftwareVault.fromSeedFile(seed), SimulatedSgxIdentity.load(identity)), timeout * 1000)
        def r = e.request().report()
        Map<String, Object> out = [vault: 'software (SIMULATED SGX identity)', tdPublicKey: e.tdPublicKeyHex(), keySha256: e.keySha256(),
                                   mask: HexFormat.of().formatHex(e.request().mask().encode()), mrTd: HexFormat.of().formatHex(r.mrTd()),
                                   rtmr0: HexFormat.of().formatHex(r.rtmr(0)), rtmr1: HexFormat.of().formatHex(r.rtmr(1))] as Map<String, Object>
        if (json) print Json.pretty(out)
        else {
            println "enrolled ${host}:${port} (vault: software, SIMULATED SGX identity)"
            println "  TD public key  ${e.tdPublicKeyHex()}"
            println "  key SHA-256    ${e.keySha256()}"
            println "  MRTD           ${out.mrTd}"
        }
        println 'not implemented in this build: checking the TD report against expected measurements before answering (needs measure tdx)'
        return Main.OK
    }
}
