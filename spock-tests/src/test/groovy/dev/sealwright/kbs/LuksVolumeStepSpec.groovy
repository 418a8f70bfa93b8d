package dev.sealwright.kbs

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * The cczoo sample's host-side steps without a boot: {@code exec} writing a file through {@code {out}},
 * {@code kbs.luksVolume} (a LUKS2 disk Debian's cryptsetup accepts with the generated key, the key kept
 * 0600 and never regenerated) and {@code kbs.verdict} failing the run when the broker did not grant.
 */
class LuksVolumeStepSpec extends Specification {
    @TempDir
    Path dir

    private static Map sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        [code: p.waitFor(), out: out]
    }

    def "exec {out} makes an ext4 image, luksVolume wraps it in LUKS2 that cryptsetup opens with the generated key, which a rerun keeps"() {
        given:
        Repo.requireTool('mkfs.ext4')
        Repo.requireTool('cryptsetup')
        Files.createDirectories(dir.resolve('data'))
        Files.writeString(dir.resolve('data/secret-data.txt'), 'hello\n')
        Path recipe = dir.resolve('vol.groovy')
        Files.writeString(recipe, '''pipeline('vol') {
            def fs = exec('fs') { command 'sh', '-c', 'mkfs.ext4 -q -F -d "$1" "$0" 4M', '{out}', file('data') }
            luksVolume('volume') { filesystem fs.out; resource 'data-disk' }
        }''')

        when:
        def run = Cli.run('run', recipe.toString(), '-C', dir.toString())
        Path key = dir.resolve('.sealwright/keep/volume/data-disk.key')
        Path disk = dir.resolve('out/volume/disk.img')
        byte[] first = Files.readAllBytes(key)

        then:
        run.exitCode == 0
        Files.getPosixFilePermissions(key) == PosixFilePermissions.fromString('rw-------')
        Files.getPosixFilePermissions(dir.resolve('out/volume/secrets.json')).every { it.name().startsWith('OWNER') }
        new groovy.json.JsonSlurper().parse(dir.resolve('out/volume/secrets.json').toFile())['data-disk'].base64 == first.encodeBase64().toString()
        !run.out.contains(first.encodeBase64().toString()) && !run.out.contains(first.encodeHex().toString())

        and: 'cryptsetup reads the header, accepts the generated key and refuses another one'
        sh('cryptsetup', 'isLuks', '--type', 'luks2', disk.toString()).code == 0
        sh('cryptsetup', 'open', '--test-passphrase', '--key-file', key.toString(), disk.toString()).code == 0
        Files.write(dir.resolve('wrong.key'), new byte[32])
        sh('cryptsetup', 'open', '--test-passphrase', '--key-file', dir.resolve('wrong.key').toString(), disk.toString()).code != 0
        and: 'the data area holds the filesystem after the 16 MiB LUKS2 header, encrypted'
        Files.size(disk) == (16L << 20) + (4L << 20)

        when: 'a fresh run re-encrypts with the same key: it is never regenerated or overwritten'
        def again = Cli.run('run', recipe.toString(), '-C', dir.toString(), '--fresh')

        then:
        again.exitCode == 0
        Files.readAllBytes(key) == first
        sh('cryptsetup', 'open', '--test-passphrase', '--key-file', key.toString(), disk.toString()).code == 0
    }

    def "kbs.verdict counts grants and refusals and fails the run when the required verdict is missing"() {
        given:
        Path audit = dir.resolve('audit.log')
        Files.writeString(audit, '{"resource":"luks-root","verdict":"grant","tee":"tdx","tee_key":"aa","SIMULATED":true}\n'
                + '{"resource":"luks-root","verdict":"refuse","tee":"tdx","tee_key":"bb","reason":"policy: MRTD is x, expected y"}\n')
        Path recipe = dir.resolve('verdict.groovy')
        Files.writeString(recipe, """pipeline('verdict') {
            params { require = 'grant' }
            kbsVerdict('v') { audit file('audit.log'); resource 'luks-root'; require params.require }
        }""")

        when:
        def refused = Cli.run('run', recipe.toString(), '-C', dir.toString())
        def ok = Cli.run('run', recipe.toString(), '-C', dir.toString(), '-p', 'require=refuse')

        then:
        refused.exitCode == 1
        (refused.out + refused.err).contains('expected the broker to grant luks-root, its last verdict in ' + audit + ' is refuse')
        ok.exitCode == 0
        ok.out.contains('refuse luks-root to tee_key bb (tdx): policy: MRTD is x, expected y')
    }
}
