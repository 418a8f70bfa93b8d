package dev.sealwright.recipes

import dev.sealwright.disk.Sh
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * The standard library fde@1 outside the sample (SamplesSpec runs encrypt, uefiConfig and deploy through
 * canonical-fde-vtpm): fde.seal predicts PCRs 4 and 7 for Debian's snakeoil Secure Boot OVMF booting a
 * UKI (systemd-stub, stand-in kernel) signed by a keyDecrypt key, and seals a secret to them under a live swtpm's SRK; the
 * real TPM (swtpm + tpm2-tools) unseals it only after exactly the predicted events.
 */
class FdeLibrarySpec extends Specification {
    @TempDir
    Path dir

    def "fde.seal: the TPM unseals the secret after the predicted PCR 4/7 events and refuses after another; the key step matches openssl"() {
        given:
        ['swtpm', 'tpm2_createprimary', 'sbsign', 'faketime', 'openssl', 'systemd-stub'].each { Repo.requireTool(it) }
        def tpm = new Swtpm()
        def srk = tpm.persistSrk('ecc', '0x81000001')
        Files.writeString(dir.resolve('data.key'), 'fde library secret')
        Files.setPosixFilePermissions(dir.resolve('data.key'), PosixFilePermissions.fromString('rw-------'))
        Files.writeString(dir.resolve('snakeoil.pass'), 'snakeoil\n')
        Files.createDirectories(dir.resolve('kernel/boot'))            // a stand-in kernel: the UKI is measured, never booted
        Files.write(dir.resolve('kernel/boot/vmlinuz-6.0-test'), new byte[4096])
        Files.writeString(dir.resolve('initrd.img'), 'initrd')
        def recipe = dir.resolve('seal.groovy')
        Files.writeString(recipe, """
            use 'fde@1'
            pipeline('seal') {
                def db = keyDecrypt('db-key') { key file('/usr/share/ovmf/PkKek-1-snakeoil.key'); passphrase secret(file: 'snakeoil.pass') }
                def image = uki('uki') { kernel file('kernel'); initrd file('initrd.img') }
                def signed = ukiSign('signed') { uki image.uki; key db.key; cert file('/usr/share/ovmf/PkKek-1-snakeoil.pem') }
                fde.seal(uki: signed.uki, code: file('/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd'), vars: file('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd'),
                         srkPub: file('${srk}'), data: secret(file: 'data.key'), prefix: 'lib')
            }
        """.stripIndent())

        when:
        def run = Cli.run('run', recipe.toString(), '-C', dir.resolve('ws').toString())
        def out = dir.resolve('ws/out')
        def key = out.resolve('db-key/key.pem')

        then: 'the steps carry the prefix; the decrypted key is what openssl pkey writes, owner-only; the log never shows it'
        run.exitCode == 0
        ['lib-pcrs', 'lib-sealed'].every { Files.isDirectory(out.resolve(it)) }
        Files.readString(key) == Sh.ok(['openssl', 'pkey', '-in', '/usr/share/ovmf/PkKek-1-snakeoil.key', '-passin', 'pass:snakeoil']).out
        PosixFilePermissions.toString(Files.getPosixFilePermissions(key)) in ['rw-------', 'r--------']
        !run.out.contains(Files.readString(key).readLines()[1])
        Sh.run(['sbverify', '--cert', '/usr/share/ovmf/PkKek-1-snakeoil.pem', out.resolve('signed/uki.efi').toString()]).exit == 0

        when: 'swtpm gets exactly the predicted PCR 7 and 4 events, then imports, loads and unseals the blob'
        def events = (new JsonSlurper().parse(out.resolve('lib-pcrs/expected.json').toFile()).events as List<Map>).findAll { it.index in [4, 7] }
        events.each { tpm.ok('tpm2_pcrextend', "${it.index}:sha256=${it.digests.sha256}") }
        def sealed = out.resolve('lib-sealed/sealed')
        tpm.ok('tpm2_import', '-C', '0x81000001', '-u', "${sealed}/sealed.pub", '-i', "${sealed}/sealed.dpriv", '-s', "${sealed}/sealed.seed", '-r', 'imported.priv')
        tpm.flush()
        tpm.ok('tpm2_load', '-C', '0x81000001', '-u', "${sealed}/sealed.pub", '-r', 'imported.priv', '-c', 'sealed.ctx')
        def unseal = tpm.run('tpm2_unseal', '-c', 'sealed.ctx', '-p', 'pcr:sha256:4,7', '-o', 'unsealed.bin')

        then:
        events*.index.toSet() == [4, 7] as Set
        unseal.exitCode == 0
        Files.readString(tpm.dir.resolve('unsealed.bin')) == 'fde library secret'

        when: 'one more PCR 4 event'
        tpm.ok('tpm2_pcrextend', '4:sha256=' + '11' * 32)

        then:
        tpm.run('tpm2_unseal', '-c', 'sealed.ctx', '-p', 'pcr:sha256:4,7').exitCode != 0

        cleanup:
        tpm?.close()
    }

    def "key.decrypt: a wrong passphrase is one line naming the key file"() {
        given:
        Files.writeString(dir.resolve('wrong.pass'), 'not-the-passphrase')
        def recipe = dir.resolve('wrong.groovy')
        Files.writeString(recipe, """
            pipeline('wrong') {
                keyDecrypt('db-key') { key file('/usr/share/ovmf/PkKek-1-snakeoil.key'); passphrase secret(file: 'wrong.pass') }
            }
        """.stripIndent())

        when:
        def run = Cli.run('run', recipe.toString(), '-C', dir.resolve('ws').toString())

        then:
        run.exitCode == 1
        (run.out + run.err).contains('key.decrypt: cannot decrypt /usr/share/ovmf/PkKek-1-snakeoil.key with the passphrase from file')
        !(run.out + run.err).contains('not-the-passphrase')
        !(run.out + run.err).contains('Exception')
        !Files.exists(dir.resolve('ws/out/db-key/key.pem'))
    }
}
