package dev.sealwright.measure.uki

import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * The initrd systemd-stub serves (StubMeasurements.initrd) read back by GNU cpio, without a boot:
 * the parts in the stub's order, each padded to 4 bytes, and every generated archive unpacks to
 * {@code .extra/FILE} with the section's bytes, mode 0444 in a 0555 directory. The bytes themselves
 * are checked against real boots' PCR 9 events in StackBootSpec.
 */
class StubInitrdSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared byte[] kernel

    def setupSpec() {
        Repo.requireTool('cpio')
        kernel = Files.readAllBytes(Kernels.debian().vmlinuz())
    }

    PeFile uki(Path stub, Map<String, byte[]> extra) {
        def pe = PeFile.read(UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(stub), kernel, 'abcde'.bytes, 'console=ttyS0', '6.12-test', 'ID=test\n'), 'uki'), 'uki')
        extra.each { name, bytes -> pe.addSection(name, bytes) }
        PeFile.read(pe.toBytes(), 'uki')
    }

    /** Each archive in {@code bytes} (split after each TRAILER!!! record) unpacked by GNU cpio: path → [mode, bytes]. */
    Map<String, List> unpack(byte[] bytes, String name) {
        Map<String, List> out = [:]
        int start = 0, n = 0
        String text = new String(bytes, 'ISO-8859-1')
        for (int t = text.indexOf('TRAILER!!!'); t >= 0; t = text.indexOf('TRAILER!!!', t + 1)) {
            int end = t + 14   // the name and its NULs pad the 110-byte trailer header to 124
            Path a = dir.resolve("${name}-${n}.cpio"), into = Files.createDirectories(dir.resolve("${name}-${n++}"))
            Files.write(a, Arrays.copyOfRange(bytes, start, end))
            def p = new ProcessBuilder('sh', '-c', "cpio -idm --quiet --no-absolute-filenames < ${a}").directory(into.toFile()).redirectErrorStream(true).start()
            def msg = p.inputStream.text
            assert p.waitFor() == 0: msg
            Files.walk(into).withCloseable { s -> s.filter { it != into }.each { f ->
                out[into.relativize(f).toString()] = [PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), Files.isRegularFile(f) ? Files.readAllBytes(f) : null]
            } }
            start = end
        }
        assert start == bytes.length: "${bytes.length - start} bytes after the last archive"
        out
    }

    def "stub 257: .ucode, .initrd, then cpios of .pcrsig .pcrpkey .osrel .profile, each padded to 4 bytes"() {
        given:
        byte[] ucode = 'UCODE'.bytes
        byte[] sig = '{"sha256":[]}\n'.bytes
        byte[] pkey = 'PUBLIC KEY\n'.bytes
        byte[] profile = 'ID=main\n'.bytes
        def pe = uki(Stack.stub('257.13'), ['.pcrsig': sig, '.pcrpkey': pkey, '.ucode': ucode, '.profile': profile])

        when:
        byte[] served = StubMeasurements.initrd(pe, StubVersion.detect(pe).get())

        then: '.ucode (5 bytes) and .initrd (5 bytes) are padded to 8 each, then come the four archives'
        Arrays.copyOfRange(served, 0, 8) == 'UCODE\0\0\0'.bytes
        Arrays.copyOfRange(served, 8, 16) == 'abcde\0\0\0'.bytes
        def files = unpack(Arrays.copyOfRange(served, 16, served.length), 's257')
        files.keySet() == ['.extra', '.extra/tpm2-pcr-signature.json', '.extra/tpm2-pcr-public-key.pem', '.extra/os-release', '.extra/profile'] as Set
        files['.extra'][0] == 'r-xr-xr-x'
        files['.extra/tpm2-pcr-signature.json'] == ['r--r--r--', sig]
        files['.extra/tpm2-pcr-public-key.pem'] == ['r--r--r--', pkey]
        files['.extra/os-release'] == ['r--r--r--', 'ID=test\n'.bytes]
        files['.extra/profile'] == ['r--r--r--', profile]
    }

    def "stub 254: .initrd padded to 4 bytes, then cpios of .pcrsig and .pcrpkey; without them .initrd as is"() {
        given:
        byte[] sig = 'SIG'.bytes
        byte[] pkey = 'KEY'.bytes
        def pe = uki(Stack.stub('254.26'), ['.pcrpkey': pkey, '.pcrsig': sig])
        def plain = uki(Stack.stub('254.26'), [:])

        when:
        byte[] served = StubMeasurements.initrd(pe, StubVersion.detect(pe).get())

        then:
        Arrays.copyOfRange(served, 0, 8) == 'abcde\0\0\0'.bytes
        def files = unpack(Arrays.copyOfRange(served, 8, served.length), 's254')
        files['.extra/tpm2-pcr-signature.json'] == ['r--r--r--', sig]
        files['.extra/tpm2-pcr-public-key.pem'] == ['r--r--r--', pkey]
        files.keySet() == ['.extra', '.extra/tpm2-pcr-signature.json', '.extra/tpm2-pcr-public-key.pem'] as Set
        StubMeasurements.initrd(plain, StubVersion.detect(plain).get()) == 'abcde'.bytes
    }
}
