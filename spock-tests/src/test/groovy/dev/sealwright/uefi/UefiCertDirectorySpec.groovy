package dev.sealwright.uefi

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * {@code uefi config --certs DIR} against efitools and Debian's OVMF: our lists equal what
 * cert-to-efi-sig-list writes, and the certificates sig-list-to-certs extracts from
 * OVMF_VARS_4M.ms.fd, laid out as DIR/{PK,KEK,db,dbx}/, give back the variables of that file.
 */
class UefiCertDirectorySpec extends Specification {
    static final Path MS_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')
    static final Path SNAKEOIL_PEM = Path.of('/usr/share/ovmf/PkKek-1-snakeoil.pem')
    static final String MICROSOFT = '77fa9abd-0359-4d32-bd60-28f4e78f784b'
    // owners as enrolled in Debian's OVMF_VARS_4M.ms.fd (ovmf 2022.11): PK under the global-variable GUID,
    // the first KEK and the dbx hash under the Red Hat GUID, the Microsoft entries under Microsoft's
    static final String GLOBAL = '8be4df61-93ca-11d2-aa0d-00e098032b8c'
    static final String REDHAT = 'a0baa8a3-041d-48a8-bc87-c36d121b5e3d'

    @TempDir
    Path dir

    String sh(Path cwd, String... cmd) {
        def p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0: "${cmd.join(' ')} failed: ${out}"
        out
    }

    def "a certificate directory gives the lists cert-to-efi-sig-list writes, for PEM and DER alike"() {
        given:
        Repo.requireTool('cert-to-efi-sig-list')
        sh(dir, 'cert-to-efi-sig-list', '-g', MICROSOFT, SNAKEOIL_PEM.toString(), 'theirs.esl')
        Path certs = Files.createDirectories(dir.resolve('certs'))
        Files.createDirectories(certs.resolve('db'))
        Files.createDirectories(certs.resolve('KEK'))
        Files.copy(SNAKEOIL_PEM, certs.resolve('db/snakeoil.pem'))
        sh(certs, 'openssl', 'x509', '-in', SNAKEOIL_PEM.toString(), '-outform', 'DER', '-out', 'KEK/snakeoil.der')
        Files.writeString(certs.resolve('owner'), MICROSOFT + '\n')
        Path out = dir.resolve('uefi-config.json')

        when:
        def r = Cli.run('uefi', 'config', '--certs', certs.toString(), '-o', out.toString())
        def config = UefiConfig.read(out)
        byte[] theirs = Files.readAllBytes(dir.resolve('theirs.esl'))

        then:
        r.exitCode == 0
        config.db() == theirs
        config.kek() == theirs
        config.pk() == null && config.dbx() == null
    }

    def "certificates extracted from OVMF_VARS_4M.ms.fd by sig-list-to-certs rebuild the same uefi-config.json as --vars"() {
        given:
        Repo.requireTool('cert-to-efi-sig-list')
        Path fromVars = dir.resolve('from-vars.json')
        assert Cli.run('uefi', 'config', '--vars', MS_VARS.toString(), '-o', fromVars.toString()).exitCode == 0
        def vars = UefiConfig.read(fromVars)
        Path certs = Files.createDirectories(dir.resolve('certs'))
        ['PK': vars.pk(), 'KEK': vars.kek(), 'db': vars.db()].each { String name, byte[] esl ->
            Path sub = Files.createDirectories(certs.resolve(name))
            Files.write(dir.resolve("${name}.esl"), esl)
            sh(sub, 'sig-list-to-certs', dir.resolve("${name}.esl").toString(), name)
        }
        Files.writeString(certs.resolve('PK/owner'), GLOBAL)
        Files.writeString(certs.resolve('KEK/owner'), REDHAT)
        Files.writeString(certs.resolve('KEK/KEK-1.der.owner'), MICROSOFT)
        Files.writeString(certs.resolve('db/owner'), MICROSOFT)
        Files.createDirectories(certs.resolve('dbx'))
        Files.writeString(certs.resolve('dbx/owner'), REDHAT)
        // the OVMF dbx holds the SHA-256 of the empty file (encrypt-cloud-image docs/howto/encrypt-only.md)
        Files.writeString(certs.resolve('dbx/empty-file.sha256'), sh(dir, 'sha256sum', '/dev/null').split(' ')[0] + '\n')
        Path fromCerts = dir.resolve('from-certs.json')

        when:
        def r = Cli.run('uefi', 'config', '--certs', certs.toString(), '-o', fromCerts.toString())

        then:
        r.exitCode == 0
        Files.list(certs.resolve('KEK')).count() == 4 // KEK-0.der, KEK-1.der, owner, KEK-1.der.owner
        Files.readAllBytes(fromCerts) == Files.readAllBytes(fromVars)
    }

    def "the flat layout of create-uefi-config -i (PK.esl, KEK-*.esl, db-*.esl, dbx-*.esl) is read in name order"() {
        given:
        Repo.requireTool('cert-to-efi-sig-list')
        Path flat = Files.createDirectories(dir.resolve('flat'))
        sh(flat, 'cert-to-efi-sig-list', '-g', GLOBAL, SNAKEOIL_PEM.toString(), 'PK.esl')
        sh(flat, 'cert-to-efi-sig-list', '-g', REDHAT, SNAKEOIL_PEM.toString(), 'db-2.esl')
        sh(flat, 'cert-to-efi-sig-list', '-g', MICROSOFT, SNAKEOIL_PEM.toString(), 'db-1.esl')
        Path out = dir.resolve('flat.json')

        when:
        def r = Cli.run('uefi', 'config', '--certs', flat.toString(), '-o', out.toString())
        def config = UefiConfig.read(out)

        then:
        r.exitCode == 0
        config.pk() == Files.readAllBytes(flat.resolve('PK.esl'))
        (config.db() as List) == (Files.readAllBytes(flat.resolve('db-1.esl')) as List) + (Files.readAllBytes(flat.resolve('db-2.esl')) as List)
        config.kek() == null
    }

    def "a bad certificate, a bad owner or a missing owner is refused in one line naming the file"() {
        given:
        Path certs = Files.createDirectories(dir.resolve('certs/db'))
        Files.writeString(certs.resolve('a.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n')
        Files.writeString(dir.resolve('certs/owner'), MICROSOFT)

        when:
        def bad = Cli.run('uefi', 'config', '--certs', dir.resolve('certs').toString(), '-o', dir.resolve('x.json').toString())

        then:
        bad.exitCode == 1
        bad.err.readLines().size() == 1
        bad.err.startsWith("${certs.resolve('a.pem')}: not an X.509 certificate (PEM or DER)")
        !Files.exists(dir.resolve('x.json'))

        when:
        Files.copy(SNAKEOIL_PEM, certs.resolve('a.pem'), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        Files.writeString(certs.resolve('a.pem.owner'), 'microsoft')
        def owner = Cli.run('uefi', 'config', '--certs', dir.resolve('certs').toString(), '-o', dir.resolve('x.json').toString())

        then:
        owner.exitCode == 1
        owner.err.trim() == "${certs.resolve('a.pem.owner')}: not a GUID (expected e.g. 77fa9abd-0359-4d32-bd60-28f4e78f784b)"

        when:
        Files.delete(certs.resolve('a.pem.owner'))
        Files.delete(dir.resolve('certs/owner'))
        def none = Cli.run('uefi', 'config', '--certs', dir.resolve('certs').toString(), '-o', dir.resolve('x.json').toString())

        then:
        none.exitCode == 1
        none.err.trim().startsWith("${certs.resolve('a.pem')}: no owner GUID")
    }
}
