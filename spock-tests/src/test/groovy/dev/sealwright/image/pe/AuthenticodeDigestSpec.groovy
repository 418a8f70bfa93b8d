package dev.sealwright.image.pe

import dev.sealwright.base.InputFiles
import dev.sealwright.base.RecipeException
import dev.sealwright.measure.uki.StubMeasurements
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The Authenticode image hash firmware measures (EV_EFI_BOOT_SERVICES_APPLICATION), against pesign's (SHA-256; the algorithm is the same in every bank). */
class AuthenticodeDigestSpec extends Specification {
    @TempDir
    Path dir

    static String pesign(Path file) {
        def p = ['pesign', '-h', '-i', file.toString()].execute()
        def out = p.text
        assert p.waitFor() == 0: out
        def m = out =~ /hash: ([0-9a-f]{64})/
        assert m.find(): out
        m.group(1)
    }

    static String ours(Path file) {
        HexFormat.of().formatHex(PeFile.authenticodeDigest(Files.readAllBytes(file), 'SHA-256', file.toString()))
    }

    def "equals pesign on Debian's systemd-boot and systemd-stub images (sizes not 8-aligned: no padding, as edk2)"() {
        given:
        Repo.requireTool('pesign')
        Repo.requireTool('systemd-stub')
        def file = Path.of(path)

        expect:
        Files.size(file) % 8 != 0
        ours(file) == pesign(file)

        where:
        path << ['/usr/lib/systemd/boot/efi/linuxx64.efi.stub', '/usr/lib/systemd/boot/efi/systemd-bootx64.efi']
    }

    def "an image signed by sbsign (certificate table present) hashes as pesign says"() {
        given:
        Repo.requireTool('pesign')
        Repo.requireTool('sbsign')
        def unsigned = Path.of('/usr/lib/systemd/boot/efi/systemd-bootx64.efi')
        def key = dir.resolve('k.pem'), cert = dir.resolve('c.pem'), signed = dir.resolve('signed.efi')
        assert ['openssl', 'req', '-new', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test', '-days', '1',
                '-keyout', key.toString(), '-out', cert.toString()].execute().waitFor() == 0
        def sb = ['sbsign', '--key', key.toString(), '--cert', cert.toString(), '--output', signed.toString(), unsigned.toString()].execute()
        sb.waitForProcessOutput(new StringBuilder(), new StringBuilder())

        expect:
        sb.exitValue() == 0
        Files.size(signed) > Files.size(unsigned)
        ours(signed) == pesign(signed)
    }

    def "hashed from a file mapping, a UKI and its .linux (in place, no copy) hash as pesign says of the UKI and of the image put into it"() {
        given: 'a UKI built with objcopy as ukify does, its .linux a PE image whose size is not file-aligned'
        Repo.requireTool('pesign')
        Repo.requireTool('systemd-stub')
        Repo.requireTool('objcopy')
        def inner = Path.of('/usr/lib/systemd/boot/efi/systemd-bootx64.efi'), uki = dir.resolve('uki.efi')
        def o = ['objcopy', '--add-section', ".linux=$inner", '--change-section-vma', '.linux=0x2000000', '--set-section-flags', '.linux=data,readonly',
                 '/usr/lib/systemd/boot/efi/linuxx64.efi.stub', uki.toString()].execute()
        o.waitForProcessOutput(new StringBuilder(), new StringBuilder())
        assert o.exitValue() == 0
        def mapped = InputFiles.map(uki, PeFile.FILE_BOUND)

        expect:
        Files.size(inner) % 512 != 0
        !mapped.hasArray()
        HexFormat.of().formatHex(PeFile.authenticodeDigest(new byte[0], mapped, 'SHA-256', 'uki.efi')) == pesign(uki)
        HexFormat.of().formatHex(StubMeasurements.innerKernelDigest(PeFile.layout(mapped, 'uki.efi'), 'uki.efi', 'SHA-256')) == pesign(inner)
    }

    def "a file that is not PE/COFF is refused with one line"() {
        when:
        PeFile.authenticodeDigest(('not a kernel' * 20).bytes, 'SHA-384', 'k.bin')

        then:
        def e = thrown(RecipeException)
        e.message == 'k.bin: not a PE/COFF image: no MZ header'
    }
}
