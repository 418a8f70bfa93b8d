package dev.sealwright.uefi

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.util.concurrent.TimeUnit

/**
 * OVMF variable stores and EFI signature lists against Debian's own data and tools: the snakeoil
 * variable store holds /usr/share/ovmf/PkKek-1-snakeoil.pem as PK and KEK; efitools writes and reads
 * the same ESL bytes we do; openssl names the Microsoft certificates in the .ms store's db.
 */
class UefiVariablesSpec extends Specification {
    static final Path SNAKEOIL_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd')
    static final Path MS_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')
    static final Path SNAKEOIL_PEM = Path.of('/usr/share/ovmf/PkKek-1-snakeoil.pem')
    static final UUID OWNER = UUID.fromString('77fa9abd-0359-4d32-bd60-28f4e78f784b')

    @TempDir
    Path dir

    static byte[] der(Path pem) {
        Files.newInputStream(pem).withCloseable { ((X509Certificate) CertificateFactory.getInstance('X.509').generateCertificate(it)).encoded }
    }

    String sh(String... cmd) {
        def p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0: "${cmd.join(' ')} failed: ${out}"
        out
    }

    def "OVMF_VARS_4M.snakeoil.fd decodes, re-encodes byte for byte, and holds the snakeoil certificate as PK and KEK"() {
        given:
        Repo.requireTool('ovmf-vars-snakeoil')
        byte[] file = Files.readAllBytes(SNAKEOIL_VARS)

        when:
        def store = VariableStore.read(file, SNAKEOIL_VARS.toString())
        def pk = SignatureList.readAll(store.find(EfiGuid.GLOBAL_VARIABLE, 'PK').get().data(), 'PK')
        def kek = SignatureList.readAll(store.find(EfiGuid.GLOBAL_VARIABLE, 'KEK').get().data(), 'KEK')

        then:
        store.toBytes() == file
        pk.size() == 1 && pk[0].type() == EfiGuid.CERT_X509 && pk[0].entries().size() == 1
        pk[0].entries()[0].data() == der(SNAKEOIL_PEM)
        kek.collectMany { it.entries() }.any { it.data() == der(SNAKEOIL_PEM) }
        store.find(EfiGuid.IMAGE_SECURITY_DATABASE, 'db').isPresent()
    }

    def "the db of OVMF_VARS_4M.ms.fd holds the Microsoft UEFI CAs, and efitools extracts the same certificates"() {
        given:
        Repo.requireTool('cert-to-efi-sig-list')
        def store = VariableStore.read(Files.readAllBytes(MS_VARS), MS_VARS.toString())
        byte[] db = store.find(EfiGuid.IMAGE_SECURITY_DATABASE, 'db').get().data()
        Files.write(dir.resolve('db.esl'), db)

        when:
        def certs = SignatureList.readAll(db, 'db').findAll { it.type() == EfiGuid.CERT_X509 }.collectMany { it.entries() }*.data()
        sh('sig-list-to-certs', 'db.esl', 'db')
        def theirs = Files.list(dir).findAll { it.fileName.toString() ==~ /db-\d+\.der/ }.sort { it.fileName.toString() }.collect { Files.readAllBytes(it) }
        def subjects = certs.withIndex().collect { byte[] c, int i ->
            Files.write(dir.resolve("ours-${i}.der"), c)
            sh('openssl', 'x509', '-inform', 'DER', '-in', "ours-${i}.der".toString(), '-noout', '-subject')
        }

        then:
        certs.size() == theirs.size()
        (0..<certs.size()).every { certs[it] == theirs[it] }
        subjects.any { it.contains('Microsoft Windows Production PCA 2011') }
        subjects.any { it.contains('Microsoft Corporation UEFI CA 2011') }
        store.toBytes() == Files.readAllBytes(MS_VARS)
    }

    def "an X.509 EFI_SIGNATURE_LIST is byte-identical to cert-to-efi-sig-list's, and sig-list-to-certs reads ours back"() {
        given:
        Repo.requireTool('cert-to-efi-sig-list')
        sh('cert-to-efi-sig-list', '-g', OWNER.toString(), SNAKEOIL_PEM.toString(), 'theirs.esl')
        byte[] ours = SignatureList.x509(OWNER, der(SNAKEOIL_PEM)).toBytes()
        Files.write(dir.resolve('ours.esl'), ours)

        when:
        sh('sig-list-to-certs', 'ours.esl', 'back')
        def parsed = SignatureList.readAll(Files.readAllBytes(dir.resolve('theirs.esl')), 'theirs.esl')

        then:
        ours == Files.readAllBytes(dir.resolve('theirs.esl'))
        Files.readAllBytes(dir.resolve('back-0.der')) == der(SNAKEOIL_PEM)
        parsed.size() == 1 && parsed[0].entries()[0].owner() == OWNER
        SignatureList.toBytes(parsed) == ours
    }

    def "a damaged signature list or variable store is refused naming it"() {
        when:
        SignatureList.readAll(Arrays.copyOf(SignatureList.x509(OWNER, der(SNAKEOIL_PEM)).toBytes(), 100), 'db.esl')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('db.esl: EFI_SIGNATURE_LIST at offset 0 has inconsistent sizes')

        when:
        VariableStore.read(new byte[4096], 'zeros.fd')

        then:
        e = thrown(RecipeException)
        e.message == 'zeros.fd: not a firmware volume (no _FVH signature at offset 40)'
    }

    def "uefi config writes uefi-config.json from a variable store, and it reads back to the same payloads"() {
        given:
        Path out = dir.resolve('uefi-config.json')
        def store = VariableStore.read(Files.readAllBytes(SNAKEOIL_VARS), 'vars')

        when:
        def r = Cli.run('uefi', 'config', '--vars', SNAKEOIL_VARS.toString(), '-o', out.toString())
        def json = new groovy.json.JsonSlurper().parse(out.toFile()) as Map
        def config = UefiConfig.read(out)

        then:
        r.exitCode == 0
        json.keySet() as List == ['PK', 'KEK', 'db', 'dbx', 'omitsReadyToBootEvent']
        json.PK.decodeBase64() == store.find(EfiGuid.GLOBAL_VARIABLE, 'PK').get().data()
        config.db() == store.find(EfiGuid.IMAGE_SECURITY_DATABASE, 'db').get().data()
        config.dbx() == store.find(EfiGuid.IMAGE_SECURITY_DATABASE, 'dbx').map { it.data() }.orElse(null)
        !config.omitsReadyToBootEvent()

        when: 'written twice'
        Cli.run('uefi', 'config', '--vars', SNAKEOIL_VARS.toString(), '-o', dir.resolve('again.json').toString())

        then:
        Files.readAllBytes(dir.resolve('again.json')) == Files.readAllBytes(out)
    }

    def "uefi config refuses what it cannot do, in one line"() {
        when:
        Files.write(dir.resolve('bad.fd'), new byte[100])
        def bad = Cli.run('uefi', 'config', '--vars', dir.resolve('bad.fd').toString(), '-o', dir.resolve('x.json').toString())
        def certs = Cli.run('uefi', 'config', '--certs', dir.toString(), '-o', dir.resolve('y.json').toString())

        then:
        bad.exitCode == 1
        bad.err.trim() == "${dir.resolve('bad.fd')}: not a firmware volume (no _FVH signature at offset 40)"
        certs.exitCode == 1
        certs.err.trim() == "${dir}: no PK/, KEK/, db/, dbx/ sub-directories and no PK.esl, KEK-*.esl, db-*.esl, dbx-*.esl files"
    }
}
