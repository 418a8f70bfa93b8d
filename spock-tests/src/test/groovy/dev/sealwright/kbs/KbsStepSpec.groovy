package dev.sealwright.kbs

import dev.sealwright.tools.NativeHelpers
import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * The DSL service steps: a recipe starts the SIMULATED quote service and the broker, a dependant
 * runs the real C kbs-client against them, and both services are torn down after it.
 */
class KbsStepSpec extends Specification {
    @TempDir
    Path dir

    /** {@code n} distinct free ports: all held open while chosen (one probed and closed could be chosen again), then released. */
    static List<Integer> freePorts(int n) {
        def sockets = (1..n).collect { new ServerSocket(0) }
        try { sockets*.localPort } finally { sockets*.close() }
    }

    def "kbsSimulatedQuotes + kbs serve a secret to kbs-client in a recipe, then stop"() {
        given:
        def (int simPort, int kbsPort) = freePorts(2)
        Files.writeString(dir.resolve('policy.json'), groovy.json.JsonOutput.toJson([
                tdx: [trust_simulated: true], resources: ['luks-root': [tee: 'tdx', mrtd: KbsFixture.MRTD]]]))
        Files.writeString(dir.resolve('secrets.json'), '{"luks-root": "' + KbsFixture.SECRET + '"}')
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))
        def key = dir.resolve('out/luks-root')
        def recipe = dir.resolve('kbs.groovy')
        Files.writeString(recipe, """pipeline('kbs-demo') {
            def sim = kbsSimulatedQuotes { mrtd '${KbsFixture.MRTD}'; port ${simPort} }
            def broker = kbs { policy file('policy.json'); secrets secret(file: 'secrets.json'); collateral sim.collateral; port ${kbsPort} }
            // sh ignores the two trailing arguments; they make the fetch depend on both services
            exec('fetch') {
                command 'sh', '-c', '${NativeHelpers.path('kbs-client')} --url http://127.0.0.1:${kbsPort} --resource luks-root --out ${key} --simulated-quote-url http://127.0.0.1:${simPort}/sim/v0/quote',
                        broker.audit, sim.collateral
            }
        }""")

        when:
        def run = Cli.run('run', recipe.toString(), '-C', dir.toString())

        then:
        run.exitCode == 0
        Files.readString(key) == KbsFixture.SECRET

        when: 'the services are gone after the run'
        new Socket('127.0.0.1', kbsPort).close()

        then:
        thrown(ConnectException)
    }
}
