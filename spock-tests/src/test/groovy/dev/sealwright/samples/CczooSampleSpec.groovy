package dev.sealwright.samples

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.security.MessageDigest
import java.security.SecureRandom

/**
 * samples/cczoo-luks-tdvm.groovy through the CLI, one boot under QEMU TCG: the guest fetches the LUKS
 * key from the broker with a SIMULATED TDX quote, Debian's cryptsetup opens the disk our pure-Java
 * LUKS2 code wrote, and the workload prints the file this test put in (content and SHA-256, checked
 * against the cleartext here). The key never appears in any output, report or log, and the broker's
 * audit log holds exactly one grant for the resource. A second run pinning another MRTD (one more boot
 * of the cached UKI, about 20 s here) is refused: the guest never mounts the disk.
 */
class CczooSampleSpec extends Specification {
    @TempDir
    Path work

    /** {@code n} distinct free ports: all held open while chosen (one probed and closed could be chosen again), then released. */
    static List<Integer> freePorts(int n) {
        def sockets = (1..n).collect { new ServerSocket(0) }
        try { sockets*.localPort } finally { sockets*.close() }
    }

    /** -p kbsPort=… -p simPort=…: two distinct free ports. */
    static List<String> ports() {
        def (int kbs, int sim) = freePorts(2)
        ['-p', "kbsPort=${kbs}".toString(), '-p', "simPort=${sim}".toString()]
    }

    def "the cczoo sample boots, unlocks the LUKS2 disk with the broker's key and prints the file; the key appears nowhere; another MRTD is refused"() {
        given:
        ['qemu-system-x86_64', 'ovmf', 'mkfs.ext4', 'cryptsetup', 'busybox', 'jq', 'tar'].each { Repo.requireTool(it) }
        Kernels.debian()
        byte[] nonce = new byte[16]
        new SecureRandom().nextBytes(nonce)
        String cleartext = 'cczoo spec ' + nonce.encodeHex()
        Path data = Files.createDirectories(work.resolve('data'))
        Files.writeString(data.resolve('secret-data.txt'), cleartext + '\n')
        String sha256 = MessageDigest.getInstance('SHA-256').digest((cleartext + '\n').bytes).encodeHex().toString()
        Path ws = Files.createDirectories(work.resolve('ws'))
        Path report = work.resolve('run.json')

        when:
        def run = Cli.run('run', Repo.path('samples/cczoo-luks-tdvm.groovy').toString(), '-C', ws.toString(), '--report', report.toString(),
                '-p', "data=${data}".toString(), *ports())

        then: 'the guest printed the file from inside the encrypted volume'
        run.exitCode == 0
        run.out.contains('cczoo: secret-data.txt content: ' + cleartext)
        run.out.contains('cczoo: secret-data.txt sha256=' + sha256)
        run.out.contains('cczoo: key received (SIMULATED TDX quote), mode 400 on tmpfs')

        and: 'the key the volume step generated (0600) is in no output, report, log or the serial console'
        Path keyFile = ws.resolve('.sealwright/keep/volume/luks-root.key')
        Files.getPosixFilePermissions(keyFile) == PosixFilePermissions.fromString('rw-------')
        Files.getPosixFilePermissions(ws.resolve('out/volume/secrets.json')).every { it.name().startsWith('OWNER') }
        byte[] key = Files.readAllBytes(keyFile)
        key.length == 32
        def forms = [key.encodeHex().toString(), key.encodeBase64().toString(), new String(key, 'ISO-8859-1')]
        def texts = [run.out, run.err, Files.readString(report), Files.readString(ws.resolve('out/broker/audit.log'))]
        Files.walk(ws.resolve('out')).withCloseable { s ->
            s.filter { Files.isRegularFile(it) && !it.fileName.toString().endsWith('.img') && it.fileName.toString() != 'secrets.json' && Files.size(it) < 10_000_000 }
                    .each { texts << new String(Files.readAllBytes(it), 'ISO-8859-1') }
        }
        forms.every { f -> texts.every { !it.contains(f) } }

        and: 'the broker granted the resource exactly once, to a SIMULATED quote, and the run report says so'
        def audit = Files.readAllLines(ws.resolve('out/broker/audit.log')).findAll { it }.collect { new JsonSlurper().parseText(it) }
        audit.findAll { it.resource == 'luks-root' && it.verdict == 'grant' }.size() == 1
        audit.every { it.SIMULATED == true }
        def verdict = new JsonSlurper().parse(report.toFile()).steps.find { it.name == 'verdict' }
        verdict.values.grants == 1
        verdict.values.refusals == 0

        when: 'the same workspace, the policy pinning another MRTD (cached steps reused: one more boot of the same UKI)'
        Path refusedReport = work.resolve('refused.json')
        def refused = Cli.run('run', Repo.path('samples/cczoo-luks-tdvm.groovy').toString(), '-C', ws.toString(), '--report', refusedReport.toString(),
                '-p', "data=${data}".toString(), *ports(),
                '-p', 'policyMrtd=' + '5a' * 48)

        then: 'the broker refuses, the guest says so and never mounts the disk or runs the workload'
        refused.exitCode == 0
        refused.out.contains('cczoo: key refused by the broker; the disk stays locked')
        !refused.out.contains('unlocked and mounted')
        !refused.out.contains(cleartext)
        !refused.out.contains('workload-start')
        def refusedAudit = Files.readAllLines(ws.resolve('out/broker/audit.log')).findAll { it }.collect { new JsonSlurper().parseText(it) }
        refusedAudit*.verdict == ['refuse']
        refusedAudit[0].reason.startsWith('policy: MRTD is ')
        def refusedVerdict = new JsonSlurper().parse(refusedReport.toFile()).steps.find { it.name == 'verdict' }
        refusedVerdict.values.grants == 0
        refusedVerdict.values.refusals == 1
        forms.every { f -> !refused.out.contains(f) && !refused.err.contains(f) }
    }
}
