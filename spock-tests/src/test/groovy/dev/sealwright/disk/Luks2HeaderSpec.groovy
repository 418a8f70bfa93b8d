package dev.sealwright.disk

import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.disk.luks2.Luks2FormatOptions
import dev.sealwright.disk.luks2.Luks2Kdf
import dev.sealwright.disk.luks2.Luks2Volume
import dev.sealwright.base.RecipeException
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * Damaged headers: every header cryptsetup rejects is rejected by us with the reason; one that
 * cryptsetup recovers from its second copy we read from that copy. The corruption helper here
 * re-computes checksums on its own (test-side code), so each case exercises exactly one rule.
 */
class Luks2HeaderSpec extends Specification {
    @TempDir
    Path dir
    static final byte[] PASS = 'pw'.bytes
    static final long HDR = 0x4000

    Path fresh(String name, int keyslots = 1) {
        def image = Sh.sparseFile(dir.resolve(name), 17L << 20)
        def kdf = Luks2Kdf.pbkdf2('sha256', 1000, new byte[0])
        Luks2Volume.format(image, new Luks2FormatOptions().kdf(kdf).digestIterations(1000), PASS, Entropy.secure()).withCloseable { v ->
            def key = v.unlock(PASS).volumeKey()
            for (int i = 1; i < keyslots; i++) v.addKeyslot(key, "pw$i".bytes, kdf, i)
        }
        image
    }

    /** Replaces the JSON area of one copy with {@code area} bytes and fixes that copy's checksum. */
    static void rewriteArea(Path image, long offset, byte[] area) {
        def raf = new RandomAccessFile(image.toFile(), 'rw')
        raf.withCloseable {
            byte[] bin = new byte[4096]
            raf.seek(offset); raf.readFully(bin)
            byte[] full = new byte[HDR - 4096]
            System.arraycopy(area, 0, full, 0, Math.min(area.length, full.length))
            Arrays.fill(bin, 0x1C0, 0x1C0 + 64, (byte) 0)
            def md = MessageDigest.getInstance('SHA-256')
            md.update(bin); md.update(full)
            System.arraycopy(md.digest(), 0, bin, 0x1C0, 32)
            raf.seek(offset); raf.write(bin); raf.write(full)
        }
    }

    static String jsonText(Path image, long offset) {
        def raf = new RandomAccessFile(image.toFile(), 'r')
        raf.withCloseable {
            byte[] area = new byte[HDR - 4096]
            raf.seek(offset + 4096); raf.readFully(area)
            int nul = 0
            while (area[nul] != 0) nul++
            new String(area, 0, nul, 'UTF-8')
        }
    }

    static void mutateJson(Path image, Closure<String> edit) {
        for (long off : [0L, HDR]) {
            rewriteArea(image, off, (edit(jsonText(image, off)) + '\0').getBytes('UTF-8'))
        }
    }

    static void mutateTree(Path image, Closure edit) {
        mutateJson(image) { String text ->
            def tree = new JsonSlurper().parseText(text)
            edit(tree)
            JsonOutput.toJson(tree)
        }
    }

    static void flipByte(Path image, long pos) {
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { raf ->
            raf.seek(pos); int b = raf.read(); raf.seek(pos); raf.write(b ^ 0x40)
        }
    }

    String ourError(Path image) {
        try {
            Luks2Volume.open(image, false).close()
            return null
        } catch (RecipeException e) {
            return e.message
        }
    }

    def "a header damaged in both copies (#damage) is rejected by cryptsetup and by us with the reason"() {
        given:
        def image = fresh('bad.img', 2)
        corrupt(image)
        def ro = Sh.readOnlyCopy(image)

        expect: 'the real tool rejects it'
        Sh.run(['cryptsetup', 'luksDump', ro.toString()]).exit != 0

        and: 'so do we, naming the file and the rule (on the original, which cryptsetup never saw)'
        def msg = ourError(image)
        msg != null
        msg.startsWith(image.toString() + ': ')
        msg.contains(reason)

        where:
        damage                            | reason                                          | corrupt
        'bad checksums'                   | 'checksum mismatch'                             | { Path p -> flipByte(p, 4096 + 10); flipByte(p, HDR + 4096 + 10) }
        'overlapping keyslot areas'       | 'overlapping keyslot areas'                     | { Path p -> mutateTree(p) { it.keyslots.'1'.area.offset = it.keyslots.'0'.area.offset } }
        'malformed JSON'                  | 'malformed JSON'                                | { Path p -> mutateJson(p) { it.substring(0, it.length() - 1) } }
        'JSON area without NUL'           | 'not NUL-terminated'                            | { Path p -> [0L, HDR].each { off -> def t = jsonText(p, off); rewriteArea(p, off, (t + ' ' * (HDR - 4096 - t.length())).bytes) } }
        'uint64 as a JSON number'         | 'is missing "offset" (string)'                  | { Path p -> mutateTree(p) { it.segments.'0'.offset = 16777216 } }
        'uint64 out of range'             | 'out of range'                                  | { Path p -> mutateTree(p) { it.config.keyslots_size = '18446744073709551616' } }
        'uint32 out of range'             | 'illegal "key_size"'                            | { Path p -> mutateTree(p) { it.keyslots.'0'.key_size = 4294967296L } }
        'digest of a missing keyslot'     | 'references missing keyslot "9"'                | { Path p -> mutateTree(p) { it.digests.'0'.keyslots = ['0', '9'] } }
        'segment without a digest'        | 'not covered by any digest'                     | { Path p -> mutateTree(p) { it.digests.'0'.segments = [] } }
        'keyslot area inside metadata'    | 'illegal keyslot area offset'                   | { Path p -> mutateTree(p) { it.keyslots.'0'.area.offset = it.keyslots.'1'.area.offset; it.keyslots.'1'.area.offset = '16384' } }
        'keyslots area past the data'     | 'too large'                                     | { Path p -> mutateTree(p) { it.config.keyslots_size = '16777216' } }
        'missing tokens section'          | 'missing tokens section'                        | { Path p -> mutateTree(p) { it.remove('tokens') } }
        'json_size not matching header'   | 'does not match the binary header size'         | { Path p -> mutateTree(p) { it.config.json_size = '28672' } }
        'unaligned segment offset'        | 'not aligned'                                   | { Path p -> mutateTree(p) { it.segments.'0'.offset = '16777217' } }
    }

    def "a primary header with a bad checksum is recovered from the secondary copy, as cryptsetup does"() {
        given:
        def image = fresh('primary.img')
        flipByte(image, 4096 + 20)
        def ro = Sh.readOnlyCopy(image)

        expect:
        Sh.ok(['cryptsetup', 'open', '--test-passphrase', '--key-file', '-', ro.toString()], PASS)
        Luks2Volume.open(image, false).withCloseable { v ->
            assert v.header().recoveryNote().contains('primary header invalid (checksum mismatch at offset 0)')
            v.unlock(PASS).keyslot() == 0
        }
    }

    def "a wiped primary header is found again by scanning for the secondary"() {
        given:
        def image = fresh('wiped.img')
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { it.write(new byte[4096]) }
        def ro = Sh.readOnlyCopy(image)

        expect:
        Sh.ok(['cryptsetup', 'luksDump', ro.toString()])
        Luks2Volume.open(image, false).withCloseable { v -> v.header().recoveryNote().contains('bad magic at offset 0') }
    }

    def "a damaged secondary is reported while the primary is used"() {
        given:
        def image = fresh('secondary.img')
        flipByte(image, HDR + 4096 + 20)

        expect:
        Luks2Volume.open(image, false).withCloseable { v -> v.header().recoveryNote().contains('secondary header invalid (checksum mismatch at offset 16384)') }
    }

    def "wrong passphrases, truncated images and non-LUKS files are one-line errors"() {
        given:
        def image = fresh('ok.img')
        def truncated = dir.resolve('trunc.img')
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(image), 10000))
        def plain = Sh.sparseFile(dir.resolve('zero.img'), 1 << 20)

        when:
        Luks2Volume.open(image, false).withCloseable { v -> v.unlock('nope'.bytes) }
        then:
        def e1 = thrown(RecipeException)
        e1.message == "${image}: no keyslot matches the passphrase".toString()

        expect:
        ourError(truncated).contains('file too short')
        Sh.run(['cryptsetup', 'luksDump', truncated.toString()]).exit != 0
        ourError(plain) == "${plain}: not a LUKS2 device (no LUKS2 header magic)".toString()
    }
}
