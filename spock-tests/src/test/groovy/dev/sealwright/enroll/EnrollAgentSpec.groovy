package dev.sealwright.enroll.quex

import dev.sealwright.tools.NativeHelpers
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The static C enroll-agent (TD side) against our host client and software vault over loopback.
 * The TD report comes from a SIMULATED template (no TDX here); the vault quote from the SIMULATED
 * SGX identity, whose root the agent is told to pin.
 */
class EnrollAgentSpec extends Specification {
    // report.dat registers as listed in ../shared/fixtures/README.md
    static final String FIXTURE_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'
    static final String FIXTURE_RTMR0 = 'ae2f7878f398f756d181aebe8c0199d07d55369e1260d6dc358c240af99a22e4f3133d5d3e29e11d6a5ea7c1c348122f'
    static final String FIXTURE_RTMR1 = 'f7962da399c5017b272419e01dbc4e2b37650baece0ccc50afb88d4f65cfe79db261059dd1579ad77efc2f6ddc7ecced'

    @TempDir
    Path dir

    Process agent
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>()
    int port
    SimulatedSgxIdentity identity = SimulatedSgxIdentity.generate()
    SoftwareVault vault

    def setup() {
        def seed = dir.resolve('seed.dat')
        SoftwareVault.initSeed(seed, false)
        vault = SoftwareVault.fromSeedFile(seed)
        Files.writeString(dir.resolve('sim-root.pem'), identity.rootPem())
        agent = new ProcessBuilder(NativeHelpers.path('enroll-agent').toString(), '--port', '0',   // it names the port it got
                '--vault-mrenclave', HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave()),
                '--root', dir.resolve('sim-root.pem').toString(), '--secret-file', dir.resolve('run/secret').toString(),
                '--quote-file', dir.resolve('quote.txt').toString(),
                '--simulated-report', Repo.fixture('quex/quex-pack/report.dat').toString()).redirectErrorStream(true).start()
        pump(agent)
        port = listening()
    }

    /** The port a fresh agent (started with --port 0) says it listens on, from its first line. */
    int listening() {
        def first = next()
        def m = first =~ /enroll: listening on port (\d+) \(SIMULATED TD report\)/
        assert m.matches(): first
        m.group(1) as int
    }

    /** Replaces the agent with one using another SIMULATED report template, on the same port (recipes already name it; the agent binds with SO_REUSEADDR). */
    void restartAgent(Path template) {
        agent.destroyForcibly()
        agent.waitFor()
        lines.clear()
        agent = new ProcessBuilder(NativeHelpers.path('enroll-agent').toString(), '--port', "${port}",
                '--vault-mrenclave', HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave()),
                '--root', dir.resolve('sim-root.pem').toString(), '--secret-file', dir.resolve('run3/secret').toString(),
                '--simulated-report', template.toString()).redirectErrorStream(true).start()
        pump(agent)
        assert listening() == port
    }

    /** Collects the agent's output lines; the stream closes when the agent is replaced. */
    void pump(Process p) {
        Thread.start {
            try { p.inputStream.eachLine { lines << it } } catch (IOException ignored) { }
        }
    }

    def cleanup() {
        agent?.destroyForcibly()
    }

    String next() {
        lines.poll(60, TimeUnit.SECONDS)
    }

    def "garbage, a foreign vault identity and a tampered quote are refused; the agent keeps serving and then enrolls"() {
        when: 'a response that is too short'
        new Socket('127.0.0.1', port).withCloseable { s ->
            s.inputStream.readNBytes(TdKeyRequest.SIZE)
            s.outputStream.write(new byte[100])
        }

        then:
        next() == 'enroll: refused: response truncated'

        when: 'a vault whose quote chains to another root'
        QuexClient.enroll('127.0.0.1', port, QuexClient.software(vault, SimulatedSgxIdentity.generate()), 30000)

        then:
        next().startsWith('enroll: refused: PCK chain does not lead to the pinned root')

        when: 'a quote whose signature was tampered with'
        def honest = QuexClient.software(vault, identity)
        QuexClient.enroll('127.0.0.1', port, new QuexClient.Vault() {
            byte[][] answer(TdKeyRequest r) { def a = honest.answer(r); a[1][440] ^= 1; a }
            byte[] derivedKey(TdKeyRequest r) { honest.derivedKey(r) }
        }, 30000)

        then:
        next() == 'enroll: refused: vault quote signature does not verify'

        when: 'the honest software vault'
        def enrollment = QuexClient.enroll('127.0.0.1', port, honest, 30000)
        def quoteLine = next()
        def status = next()
        agent.waitFor(30, TimeUnit.SECONDS)
        def secretFile = dir.resolve('run/secret')
        def secretHex = Files.readString(secretFile)
        def quote = HexFormat.of().parseHex(Files.readString(dir.resolve('quote.txt')))
        def template = Files.readAllBytes(Repo.fixture('quex/quex-pack/report.dat'))

        then: 'quote.txt is the SIMULATED report whose REPORTDATA is the TD public key (quex save_quote), the rest the template'
        quoteLine == "enroll: wrote ${dir.resolve('quote.txt')} (SIMULATED TD report, not a quote)".toString()
        quote.length == 1024
        HexFormat.of().formatHex(Arrays.copyOfRange(quote, 128, 192)) == enrollment.tdPublicKeyHex()
        Arrays.equals(quote, 0, 128, template, 0, 128) && Arrays.equals(quote, 192, 1024, template, 192, 1024)

        and: 'the TD holds exactly the key the vault derived, in a 0400 file, and says only its public key'
        status == "enroll: ok public-key=${enrollment.tdPublicKeyHex()} (SIMULATED TD report)".toString()
        agent.exitValue() == 0
        PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)) == 'r--------'
        HexFormat.of().formatHex(QuexCrypto.publicKey(HexFormat.of().parseHex(secretHex))) == enrollment.tdPublicKeyHex()
        HexFormat.of().formatHex(MessageDigest_sha256(HexFormat.of().parseHex(secretHex))) == enrollment.keySha256()
        !status.contains(secretHex)
    }

    static byte[] MessageDigest_sha256(byte[] b) {
        java.security.MessageDigest.getInstance('SHA-256').digest(b)
    }

    def "the enroll verb runs the exchange with a saved software vault and prints only public values"() {
        given: 'the agent pins the root of an identity made by `vault init --sim-identity`'
        agent.destroyForcibly()
        agent.waitFor()
        def ident = dir.resolve('ident')
        def init = dev.sealwright.testkit.Cli.run('vault', 'init', '--seed', dir.resolve('seed2.dat').toString(), '--sim-identity', ident.toString())
        lines.clear()
        agent = new ProcessBuilder(NativeHelpers.path('enroll-agent').toString(), '--port', '0',
                '--vault-mrenclave', HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave()),
                '--root', ident.resolve('sim-root.pem').toString(), '--secret-file', dir.resolve('run2/secret').toString(),
                '--simulated-report', Repo.fixture('quex/quex-pack/report.dat').toString()).redirectErrorStream(true).start()
        pump(agent)
        port = listening()

        when:
        def r = dev.sealwright.testkit.Cli.run('enroll', '--port', "${port}", '--seed', dir.resolve('seed2.dat').toString(),
                '--sim-identity', ident.toString(), '--json', '--mrtd', FIXTURE_MRTD, '--rtmr', "0=${FIXTURE_RTMR0}", '--rtmr', "1=${FIXTURE_RTMR1}")
        def status = next()
        def secretHex = Files.readString(dir.resolve('run2/secret'))

        then:
        init.exitCode == 0
        r.exitCode == 0
        def json = new groovy.json.JsonSlurper().parseText(r.out.substring(0, r.out.lastIndexOf('}') + 1))
        status == "enroll: ok public-key=${json.td_public_key} (SIMULATED TD report)".toString()
        json.mr_td == FIXTURE_MRTD
        JsonSchemas.validate(Repo.path('docs/schemas/enroll.schema.json'), r.out).with { assert it.exit == 0: it.out; true }
        JsonSchemas.validate(Repo.path('docs/schemas/enroll.schema.json'), r.out.replace('"td_public_key"', '"tdPublicKey"')).exit != 0
        json.measurements.registers*.result == ['match', 'match', 'match', 'not checked', 'not checked']
        !r.out.contains(secretHex)
    }

    def "an external vault with quex-v1-vault's file contract answers through --vault-command; a vault that writes nothing is refused"() {
        given: 'a vault program with the real vault\'s file contract (seed.dat, key_req.dat -> key_msg.dat, quote.dat); here that contract is served by `vault respond`, since quex-v1-vault needs SGX'
        agent.destroyForcibly()
        agent.waitFor()
        def ident = dir.resolve('ident')
        assert dev.sealwright.testkit.Cli.run('vault', 'init', '--seed', dir.resolve('seed3.dat').toString(), '--sim-identity', ident.toString()).exitCode == 0
        def vaultProgram = dir.resolve('vault.sh')
        Files.writeString(vaultProgram, """#!/bin/sh
set -e
test -f seed.dat && test -f key_req.dat
exec '${ProcessHandle.current().info().command().get()}' -cp '${System.getProperty('java.class.path')}' dev.sealwright.cli.Main vault respond \\
  --seed seed.dat --request key_req.dat --out key_msg.dat --quote-out quote.dat --sim-identity '${ident}'
""")
        vaultProgram.toFile().setExecutable(true)
        def silent = dir.resolve('silent.sh')
        Files.writeString(silent, '#!/bin/sh\nexit 0\n')
        silent.toFile().setExecutable(true)
        lines.clear()
        agent = new ProcessBuilder(NativeHelpers.path('enroll-agent').toString(), '--port', '0',
                '--vault-mrenclave', HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave()),
                '--root', ident.resolve('sim-root.pem').toString(), '--secret-file', dir.resolve('run4/secret').toString(),
                '--simulated-report', Repo.fixture('quex/quex-pack/report.dat').toString()).redirectErrorStream(true).start()
        pump(agent)
        port = listening()
        def args = ['enroll', '--port', "${port}", '--seed', dir.resolve('seed3.dat').toString(), '--mrtd', FIXTURE_MRTD] as List<String>

        when: 'first a vault program that writes nothing, then the real-contract one'
        def refused = dev.sealwright.testkit.Cli.run(*(args + ['--vault-command', silent.toString()]))
        def afterRefusal = next()
        def r = dev.sealwright.testkit.Cli.run(*(args + ['--vault-command', vaultProgram.toString()]))
        def status = next()
        byte[] key = HexFormat.of().parseHex(Files.readString(dir.resolve('run4/secret')).trim())

        then: 'the silent vault is named, the agent keeps serving'
        refused.exitCode == 1
        refused.err.contains("vault command '${silent}': wrote no key_msg.dat")
        afterRefusal != null && !afterRefusal.startsWith('enroll: ok')
        and: 'the external vault enrolled the TD with the key the seed derives; the host does not learn it'
        r.exitCode == 0
        r.out.contains('vault: external')
        r.out.contains('known only to the vault and the TD')
        status.startsWith('enroll: ok public-key=')
        status == "enroll: ok public-key=${HexFormat.of().formatHex(dev.sealwright.enroll.quex.QuexCrypto.publicKey(key))} (SIMULATED TD report)".toString()
        !r.out.contains(HexFormat.of().formatHex(key))
    }

    def "the enroll verb without expected measurements is an error and sends nothing"() {
        when:
        def r = dev.sealwright.testkit.Cli.run('enroll', '--port', "${port}", '--seed', dir.resolve('seed.dat').toString(), '--sim-identity', dir.toString())

        then: 'a missing option is a usage error'
        r.exitCode == 2
        r.err.contains('give the measurements the TD must report')
        lines.poll(2, TimeUnit.SECONDS) == null
    }

    def "a TD reporting another RTMR1, or DEBUG, is refused before the vault answers; the agent keeps waiting"() {
        given:
        def ident = dir.resolve('vault')
        identity.save(ident, false)
        Files.copy(dir.resolve('seed.dat'), dir.resolve('vault-seed.dat'))
        def recipe = { String rtmr1 -> """pipeline('enroll-check') {
            enroll('key') {
                port     ${port}
                seed     secret(file: 'vault-seed.dat')
                identity secret(file: 'vault/identity.pem')
                mrtd     '${FIXTURE_MRTD}'
                rtmr1    '${rtmr1}'
            }
        }""".toString() }
        def wrong = dir.resolve('wrong.groovy'), right = dir.resolve('right.groovy')
        Files.writeString(wrong, recipe('00' * 48))
        Files.writeString(right, recipe(FIXTURE_RTMR1))

        when: 'the expected RTMR1 differs from the report'
        def r = dev.sealwright.testkit.Cli.run('run', wrong.toString(), '-C', dir.toString())

        then: 'the step names the register; the agent got no answer and still serves'
        r.exitCode == 1
        r.out.contains("reports RTMR1 ${FIXTURE_RTMR1}, expected ${'00' * 48}; refusing to send a key")
        next() == 'enroll: refused: response truncated'

        when: 'the right values'
        def ok = dev.sealwright.testkit.Cli.run('run', right.toString(), '-C', dir.toString(), '--report', dir.resolve('run.json').toString())
        def report = new groovy.json.JsonSlurper().parse(dir.resolve('run.json').toFile())

        then:
        ok.exitCode == 0
        next().startsWith('enroll: wrote')
        next().startsWith('enroll: ok public-key=')
        report.steps.find { it.name == 'key' }.values.measurementCheck.startsWith('debug off; mrtd match 91eb2b44d141d4ec')

        when: 'the same TD image with ATTRIBUTES.DEBUG set'
        byte[] debugReport = Files.readAllBytes(Repo.fixture('quex/quex-pack/report.dat'))
        debugReport[512] = (byte) (debugReport[512] | 1)
        Files.write(dir.resolve('debug-report.dat'), debugReport)
        restartAgent(dir.resolve('debug-report.dat'))
        def refused = dev.sealwright.testkit.Cli.run('run', right.toString(), '-C', dir.toString())

        then:
        refused.exitCode == 1
        refused.out.contains('the TD reports ATTRIBUTES.DEBUG set')
        next() == 'enroll: refused: response truncated'
    }

    def "the enroll step of a recipe enrolls into the running agent and reports only public values"() {
        given:
        def ident = dir.resolve('vault')
        identity.save(ident, false)
        Files.copy(dir.resolve('seed.dat'), dir.resolve('vault-seed.dat'))
        def recipe = dir.resolve('enroll.groovy')
        Files.writeString(recipe, """pipeline('enroll-demo') {
            enroll('key') {
                port     ${port}
                seed     secret(file: 'vault-seed.dat')
                identity secret(file: 'vault/identity.pem')
                mrtd     '${FIXTURE_MRTD}'
                rtmr0    '${FIXTURE_RTMR0}'
            }
        }""")

        when:
        def r = dev.sealwright.testkit.Cli.run('run', recipe.toString(), '-C', dir.toString(), '--report', dir.resolve('run.json').toString())
        assert next().startsWith('enroll: wrote')
        def status = next()
        def secretHex = Files.readString(dir.resolve('run/secret'))
        def enrollment = new groovy.json.JsonSlurper().parse(dir.resolve('out/key/enrollment.json').toFile())

        then:
        r.exitCode == 0
        status == "enroll: ok public-key=${enrollment.td_public_key} (SIMULATED TD report)".toString()
        JsonSchemas.validate(Repo.path('docs/schemas/enroll.schema.json'), Files.readString(dir.resolve('out/key/enrollment.json'))).with { assert it.exit == 0: it.out; true }
        enrollment.key_sha256 == HexFormat.of().formatHex(MessageDigest_sha256(HexFormat.of().parseHex(secretHex)))
        [r.out, r.err, Files.readString(dir.resolve('run.json')), Files.readString(dir.resolve('out/key/enrollment.json'))].every { !it.contains(secretHex) }
        r.out.contains('[key] enrolled 127.0.0.1:')
    }
}
