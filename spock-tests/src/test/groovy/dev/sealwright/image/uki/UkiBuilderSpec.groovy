package dev.sealwright.image.uki

import dev.sealwright.image.pe.PeFile
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** UKIs assembled on Debian's systemd-stub, checked with binutils, osslsigncode and sbverify. */
class UkiBuilderSpec extends Specification {
    static final Path STUB = Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')
    @TempDir Path tmp
    @Shared byte[] linux

    def setupSpec() {
        linux = Files.readAllBytes(Kernels.debian().vmlinuz())
    }

    private static String run(String... cmd) {
        def p = new ProcessBuilder(cmd as List).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')}: ${out}"
        out
    }

    private static String sbverify(Path file, Path cert) {
        run('sbverify', '--cert', cert.toString(), file.toString())
    }

    private byte[] uki(byte[] initrd = 'initrd bytes'.bytes) {
        Repo.requireTool('systemd-stub')
        UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(STUB), linux, initrd, 'console=ttyS0 quiet', '6.12.0-test', 'ID=test\n'), 'stub')
    }

    def "the PE codec reads and rewrites the stub byte for byte, and its checksum matches the linker's"() {
        given:
        Repo.requireTool('systemd-stub')
        def stub = Files.readAllBytes(STUB)
        def pe = PeFile.read(stub, 'stub')

        expect:
        pe.toBytes() == stub
        pe.section('.sbat') != null
        PeFile.checksum(stub, pe.checksumOffset()) == pe.checksum()
    }

    def "objdump sees the UKI sections with our sizes, and objcopy extracts exactly our kernel and initrd"() {
        given:
        Repo.requireTool('objdump')
        def initrd = (0..<10000).collect { (byte) it } as byte[]
        def file = tmp.resolve('uki.efi')
        Files.write(file, uki(initrd))

        when:
        def sections = run('objdump', '-h', file.toString()).readLines()
                .findAll { it =~ /^\s+\d+ \S+\s+[0-9a-f]{8}/ }
                .collectEntries { def f = it.trim().split(/\s+/); [(f[1]): [size: Long.parseLong(f[2], 16), vma: Long.parseLong(f[3], 16)]] }
        run('objcopy', '-O', 'binary', '--only-section=.linux', file.toString(), tmp.resolve('linux').toString())
        run('objcopy', '-O', 'binary', '--only-section=.initrd', file.toString(), tmp.resolve('initrd').toString())
        run('objcopy', '-O', 'binary', '--only-section=.cmdline', file.toString(), tmp.resolve('cmdline').toString())

        then:
        sections.keySet().containsAll(['.text', '.sbat', '.sdmagic', '.osrel', '.cmdline', '.uname', '.initrd', '.linux'])
        sections['.linux'].size == linux.length
        sections['.initrd'].size == initrd.length
        ['.osrel', '.cmdline', '.uname', '.initrd', '.linux'].every { sections[it].vma % 4096 == 0 }
        Files.readAllBytes(tmp.resolve('linux')) == linux
        Files.readAllBytes(tmp.resolve('initrd')) == initrd
        Files.readString(tmp.resolve('cmdline')) == 'console=ttyS0 quiet'

        when: 'objdump -p shows the optional header'
        def header = run('objdump', '-p', file.toString())
        long sizeOfImage = Long.parseLong((header =~ /SizeOfImage\s+([0-9a-f]+)/)[0][1], 16)
        long alignment = Long.parseLong((header =~ /SectionAlignment\s+([0-9a-f]+)/)[0][1], 16)
        long end = sections.values().collect { it.vma + it.size }.max()

        then: 'SizeOfImage covers the last section, rounded up to SectionAlignment'
        sizeOfImage == (long) Math.ceil(end / (double) alignment) * alignment
    }

    def "the same parts give the same bytes"() {
        expect:
        uki() == uki()
    }

    def "Authenticode #alg digest and PE checksum agree with osslsigncode, and sbverify accepts the signed UKI"() {
        given:
        ['osslsigncode', 'sbverify', 'openssl'].each { Repo.requireTool(it) }
        def unsigned = tmp.resolve('uki.efi'), signed = tmp.resolve('signed.efi')
        Files.write(unsigned, uki())
        run('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', tmp.resolve('k.pem').toString(),
                '-out', tmp.resolve('c.pem').toString(), '-days', '2', '-subj', '/CN=sealwright test')
        run('osslsigncode', 'sign', '-h', ossl, '-certs', tmp.resolve('c.pem').toString(), '-key', tmp.resolve('k.pem').toString(),
                '-in', unsigned.toString(), '-out', signed.toString())

        when:
        def p = new ProcessBuilder('osslsigncode', 'verify', '-in', signed.toString()).redirectErrorStream(true).start()
        def report = p.inputStream.text
        p.waitFor()
        def calculated = (report =~ /Calculated message digest\s*:\s*([0-9A-F]+)/)[0][1].toLowerCase()
        def checksum = Long.parseLong((report =~ /PE checksum\s*:\s*([0-9A-F]+)/)[0][1], 16)
        def bytes = Files.readAllBytes(signed)

        then:
        HexFormat.of().formatHex(PeFile.authenticodeDigest(bytes, alg, 'signed.efi')) == calculated
        PeFile.checksum(bytes, PeFile.read(bytes, 'signed.efi').checksumOffset()) == checksum
        UkiInspector.inspect(bytes, 'signed.efi').signed()

        and: 'sbverify (SHA-256 signatures only) recomputes the image digest itself and checks it against the signature'
        ossl == 'sha384' || sbverify(signed, tmp.resolve('c.pem')).contains('Signature verification OK')

        where:
        alg       | ossl
        'SHA-256' | 'sha256'
        'SHA-384' | 'sha384'
    }
}
