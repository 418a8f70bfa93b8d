package dev.sealwright.recipes

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.security.SecureRandom

/**
 * The standard library kbs@1 without a VM (CczooSampleSpec boots a guest through the same recipes): kbs.volume
 * wraps a real mkfs.ext4 filesystem in LUKS2, kbs.broker serves its key, and the static guest client kbs-client,
 * run on the host against the SIMULATED quote service, gets the key only for the registers the policy pins;
 * Debian's cryptsetup opens the volume with what it received. kbs.verdict reads the grant from the audit log.
 */
class KbsLibrarySpec extends Specification {
    @TempDir
    Path dir

    /** {@code n} distinct free ports: all held open while chosen (one probed and closed could be chosen again), then released. */
    static List<Integer> freePorts(int n) {
        def sockets = (1..n).collect { new ServerSocket(0) }
        try { sockets*.localPort } finally { sockets*.close() }
    }

    private Cli.Result run(String pinnedMrtd, String require, String report) {
        def rnd = new SecureRandom()
        def reg = { byte[] b = new byte[48]; rnd.nextBytes(b); HexFormat.of().formatHex(b) }
        def expected = [mrtd: reg(), rtmr0: reg(), rtmr1: reg(), rtmr2: reg(), rtmr3: reg()]
        Files.writeString(dir.resolve('expected.json'), JsonOutput.toJson(expected))
        Files.writeString(dir.resolve('policy.json'), JsonOutput.toJson([tdx: [trust_simulated: true],
                resources: ['lib-key': [tee: 'tdx', mrtd: pinnedMrtd ?: expected.mrtd, allow_debug: false, tcb_status: ['UpToDate']]]]))
        Files.createDirectories(dir.resolve('data'))
        Files.writeString(dir.resolve('data/hello.txt'), 'kbs library\n')
        Files.writeString(dir.resolve('client.sh'), '''
            set -eu
            tmp=$(mktemp -d); key=$tmp/key; trap 'rm -rf "$tmp"' EXIT
            if ! "$1" --url "$2" --resource lib-key --out "$key" --simulated-quote-url "$3"; then echo "client: refused"; exit 0; fi
            cryptsetup open --test-passphrase --key-file "$key" "$4" && echo "client: the released key opens the volume"
        '''.stripIndent())
        def (int port, int simPort) = freePorts(2)
        def recipe = dir.resolve('broker-test.groovy')   // not kbs.groovy: the script class would shadow the library kbs
        Files.writeString(recipe, """
            use 'kbs@1'
            pipeline('kbs') {
                def fs = exec('fs') { command 'mkfs.ext4', '-q', '-F', '-d', file('data'), '{out}', '8M' }
                def vol = kbs.volume(filesystem: fs.out, resource: 'lib-key', label: 'lib-data', prefix: 'lib')
                def broker = kbs.broker(policy: file('policy.json'), secrets: vol.secrets, expected: file('expected.json'),
                                        port: ${port}, simPort: ${simPort}, prefix: 'lib')
                // the audit log and the collateral (files of the two services) make the client a user of both: they stay up while it runs
                def client = exec('client') { command 'sh', file('client.sh'), helper('kbs-client'), 'http://127.0.0.1:${port}',
                                                      'http://127.0.0.1:${simPort}/sim/v0/quote', vol.disk, broker.audit, broker.quotes.collateral }
                kbs.verdict(audit: broker.audit, resource: 'lib-key', require: '${require}', after: [client], prefix: 'lib')
            }
        """.stripIndent())
        Cli.run('run', recipe.toString(), '-C', dir.resolve('ws').toString(), '--report', dir.resolve(report).toString())
    }

    def "volume, broker, verdict: the client gets the key for the pinned registers and cryptsetup opens the volume with it; other registers are refused"() {
        given:
        ['mkfs.ext4', 'cryptsetup'].each { Repo.requireTool(it) }

        when:
        def granted = run(null, 'grant', 'granted.json')
        assert granted.exitCode == 0: granted.toString()
        def out = dir.resolve('ws/out')
        def verdict = new JsonSlurper().parse(dir.resolve('granted.json').toFile()).steps.find { it.name == 'lib-verdict' }.values

        then: 'cryptsetup opened the LUKS2 volume with the key the broker released; the secrets file is owner-only'
        granted.exitCode == 0
        Files.readString(out.resolve('client/stdout.txt')).contains('client: the released key opens the volume')
        Files.getPosixFilePermissions(out.resolve('lib-volume/secrets.json')).every { it.name().startsWith('OWNER') }
        verdict.grants == 1
        verdict.refusals == 0

        and: 'the key is in no output but the secrets file'
        def key = new JsonSlurper().parse(out.resolve('lib-volume/secrets.json').toFile())['lib-key'].base64 as String
        key.decodeBase64().length > 0
        ![granted.out, granted.err, Files.readString(out.resolve('lib-broker/audit.log')), Files.readString(dir.resolve('granted.json'))].any { it.contains(key) }

        when: 'the policy pins another MRTD (a fresh workspace)'
        dir.resolve('ws').toFile().deleteDir()
        def refused = run('5a' * 48, 'refuse', 'refused.json')

        then:
        refused.exitCode == 0
        Files.readString(dir.resolve('ws/out/client/stdout.txt')).contains('client: refused')
        new JsonSlurper().parse(dir.resolve('refused.json').toFile()).steps.find { it.name == 'lib-verdict' }.values.refusals == 1
    }
}
