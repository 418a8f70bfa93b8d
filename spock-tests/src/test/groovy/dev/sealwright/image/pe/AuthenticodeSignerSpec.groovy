package dev.sealwright.image.pe

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Our Authenticode signatures, checked by sbverify and osslsigncode (both recompute the image digest). */
class AuthenticodeSignerSpec extends Specification {
    static final Path STUB = Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')
    @TempDir Path tmp

    private static String run(String... cmd) {
        def p = new ProcessBuilder(cmd as List).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')}: ${out}"
        out
    }

    private byte[] signStub(String keyType) {
        Repo.requireTool('systemd-stub')
        Repo.requireTool('openssl')
        def key = tmp.resolve("${keyType}.key"), crt = tmp.resolve("${keyType}.crt")
        if (!Files.exists(key)) {
            def newkey = keyType == 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
            run((['openssl', 'req', '-x509'] + newkey + ['-nodes', '-keyout', key.toString(), '-out', crt.toString(), '-days', '2', '-subj', '/CN=sealwright db']) as String[])
        }
        AuthenticodeSigner.sign(Files.readAllBytes(STUB), 'stub', SigningKeys.privateKey(Files.readAllBytes(key), 'key'),
                SigningKeys.certificate(Files.readAllBytes(crt), 'crt'))
    }

    def "sbverify --cert accepts our #keyType signature, and the same key and image give the same bytes"() {
        given:
        Repo.requireTool('sbverify')
        def signed = tmp.resolve('signed.efi')
        Files.write(signed, signStub(keyType))

        expect:
        run('sbverify', '--cert', tmp.resolve("${keyType}.crt").toString(), signed.toString()).contains('Signature verification OK')
        keyType == 'ec' || signStub(keyType) == Files.readAllBytes(signed)   // RSA PKCS#1 v1.5 is deterministic, ECDSA is not

        where:
        keyType << ['rsa', 'ec']
    }

    def "osslsigncode finds the signature, computes the same digest and the same checksum"() {
        given:
        Repo.requireTool('osslsigncode')
        def signed = tmp.resolve('signed.efi')
        def bytes = signStub('rsa')
        Files.write(signed, bytes)

        when:
        def p = new ProcessBuilder('osslsigncode', 'verify', '-in', signed.toString()).redirectErrorStream(true).start()
        def report = p.inputStream.text
        p.waitFor()

        then:
        (report =~ /Current message digest\s*:\s*([0-9A-F]+)/)[0][1] == (report =~ /Calculated message digest\s*:\s*([0-9A-F]+)/)[0][1]
        (report =~ /Calculated message digest\s*:\s*([0-9A-F]+)/)[0][1].toLowerCase() == HexFormat.of().formatHex(PeFile.authenticodeDigest(bytes, 'SHA-256', 's'))
        Long.parseLong((report =~ /PE checksum\s*:\s*([0-9A-F]+)/)[0][1], 16) == PeFile.read(bytes, 's').checksum()
        report.contains('Subject: /CN=sealwright db')
    }

    def "signing a signed image is refused"() {
        when:
        def once = signStub('rsa')
        AuthenticodeSigner.sign(once, 'signed.efi', SigningKeys.privateKey(Files.readAllBytes(tmp.resolve('rsa.key')), 'k'),
                SigningKeys.certificate(Files.readAllBytes(tmp.resolve('rsa.crt')), 'c'))

        then:
        def e = thrown(RecipeException)
        e.message == 'signed.efi: already signed; sign the unsigned image'
    }
}
