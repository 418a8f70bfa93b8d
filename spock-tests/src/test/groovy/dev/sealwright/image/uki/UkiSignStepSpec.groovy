package dev.sealwright.image.uki

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * uki.sign through the CLI: sbverify (sbsigntool) accepts the signature with the signer's certificate
 * and refuses it with another one; two fresh workspaces give the same bytes. Key: Debian's public
 * snakeoil db key (ovmf package), decrypted here with openssl into a 0600 file.
 */
class UkiSignStepSpec extends Specification {
    @Shared @TempDir
    Path dir

    static final String STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub'
    static final String SNAKEOIL_CERT = '/usr/share/ovmf/PkKek-1-snakeoil.pem'

    def setupSpec() {
        ['sbsign', 'sbverify', 'openssl', 'systemd-stub', 'ovmf'].each { Repo.requireTool(it) }
    }

    private Path decryptedSnakeoilKey() {
        def key = dir.resolve('db.key')
        if (!Files.exists(key)) {
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rw-------')))
            def p = ['openssl', 'pkey', '-in', '/usr/share/ovmf/PkKek-1-snakeoil.key', '-passin', 'pass:snakeoil', '-out', key.toString()].execute()
            p.waitForProcessOutput(new StringBuilder(), System.err)
            assert p.exitValue() == 0
        }
        key
    }

    private Map sign(String workspace, Path key) {
        def recipe = dir.resolve('sign.groovy')
        Files.writeString(recipe, """
            pipeline('sign') {
                ukiSign('signed') {
                    uki  file('${STUB}')
                    key  secret(file: '${key}')
                    cert file('${SNAKEOIL_CERT}')
                }
            }
        """)
        def ws = dir.resolve(workspace)
        [result: Cli.run('run', recipe.toString(), '-C', ws.toString()), uki: ws.resolve('out/signed/uki.efi')]
    }

    private static Map sbverify(Path cert, Path efi) {
        def p = ['sbverify', '--cert', cert.toString(), efi.toString()].execute()
        def out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        [exit: p.exitValue(), text: out.toString() + err.toString()]
    }

    def "sbverify accepts the signed UKI with the signer's certificate and refuses it with another"() {
        given: 'an unrelated certificate'
        def otherKey = dir.resolve('other.key'), otherCert = dir.resolve('other.pem')
        assert ['openssl', 'req', '-new', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=other', '-days', '1',
                '-keyout', otherKey.toString(), '-out', otherCert.toString()].execute().waitFor() == 0

        when:
        def run = sign('ws1', decryptedSnakeoilKey())

        then:
        run.result.exitCode == 0
        sbverify(Path.of(SNAKEOIL_CERT), run.uki).exit == 0
        sbverify(Path.of(SNAKEOIL_CERT), run.uki).text.contains('Signature verification OK')
        sbverify(otherCert, run.uki).exit != 0
        sbverify(Path.of(SNAKEOIL_CERT), Path.of(STUB)).exit != 0
    }

    def "two fresh workspaces sign to the same bytes"() {
        when:
        def a = sign('ws-a', decryptedSnakeoilKey())
        Thread.sleep(1100)   // a later second: plain sbsign would write another PKCS#7 signingTime
        def b = sign('ws-b', decryptedSnakeoilKey())

        then:
        a.result.exitCode == 0
        b.result.exitCode == 0
        Files.size(a.uki) > Files.size(Path.of(STUB))
        Files.mismatch(a.uki, b.uki) == -1L
    }

    def "an encrypted PEM key is refused with one line naming it"() {
        when:
        def run = sign('ws-enc', Path.of('/usr/share/ovmf/PkKek-1-snakeoil.key'))

        then:
        run.result.exitCode == 1
        def text = run.result.out + run.result.err
        text.contains('uki.sign: key file /usr/share/ovmf/PkKek-1-snakeoil.key is an encrypted PEM')
        !text.contains('\tat ')
        !Files.exists(run.uki)
    }
}
