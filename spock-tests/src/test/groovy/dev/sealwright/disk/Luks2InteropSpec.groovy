package dev.sealwright.disk

import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.ObjectNode
import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.disk.luks2.Luks2FormatOptions
import dev.sealwright.disk.luks2.Luks2Kdf
import dev.sealwright.disk.luks2.Luks2Volume
import dev.sealwright.base.RecipeException
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** LUKS2 in both directions against cryptsetup 2.6 (no device-mapper needed: luksDump, --test-passphrase, reencrypt). */
class Luks2InteropSpec extends Specification {
    @TempDir
    Path dir
    static final ObjectMapper JSON = new ObjectMapper()
    static final byte[] PASS = 'correct horse battery staple'.bytes

    static byte[] pattern(int len, int seed) {
        def r = new Random(seed)
        byte[] b = new byte[len]
        r.nextBytes(b)
        b
    }

    def "a volume we format (#kdf, #keyBits-bit key, #sectorSize-byte sectors, metadata #metadata) is accepted by cryptsetup and its data decrypts with cryptsetup's volume key"() {
        given:
        def image = Sh.sparseFile(dir.resolve('ours.img'), (16L << 20) + (1 << 20))
        def kdfSpec = kdf == 'pbkdf2' ? Luks2Kdf.pbkdf2('sha256', 1000, new byte[0]) : Luks2Kdf.argon2(kdf, 4, 32768, 1, new byte[0])
        def opts = new Luks2FormatOptions().keyBits(keyBits).sectorSize(sectorSize).metadataSize(metadata)
                .label('sealwright-test').subsystem('tests').kdf(kdfSpec).digestIterations(1000)
        byte[] plain = pattern(64 * 1024, 7)

        when: 'we format and write 64 KiB of plaintext at 128 KiB into the data segment'
        byte[] ourKey
        Luks2Volume.format(image, opts, PASS, Entropy.secure()).withCloseable { v ->
            ourKey = v.unlock(PASS).volumeKey()
            v.write(ourKey, 128 * 1024, plain, 0, plain.length)
        }
        def ro = Sh.readOnlyCopy(image)
        def before = Sh.sha256(ro)
        def dump = Sh.ok(['cryptsetup', 'luksDump', '--debug', ro.toString()]).out
        def json = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', ro.toString()]).out)

        then: 'cryptsetup reads both header copies without checksum errors or repair'
        !dump.toLowerCase().contains('checksum error')
        !dump.contains('requires recovery')
        dump.count('(on-disk)') == 2
        dump =~ /Label:\s+sealwright-test/
        dump =~ /Subsystem:\s+tests/
        dump =~ /Metadata area:\s+${metadata} \[bytes\]/
        json.segments.'0'.sector_size.asInt() == sectorSize
        json.segments.'0'.offset.asText() == '16777216'
        json.keyslots.'0'.kdf.type.asText() == kdf
        json.keyslots.'0'.key_size.asInt() == keyBits / 8

        and: 'cryptsetup accepts the passphrase and rejects a wrong one'
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', '-', ro.toString()], PASS).exit == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', '-', ro.toString()], 'wrong'.bytes).exit == 2

        and: 'cryptsetup recovers the same volume key, and OpenSSL (python3-cryptography) decrypts our sectors with it'
        def theirKey = Sh.cryptsetupVolumeKey(ro, PASS)
        theirKey == ourKey
        String cipherSha = Arrays.copyOfRange(Files.readAllBytes(image), (16 << 20) + 128 * 1024, (16 << 20) + 128 * 1024 + plain.length).sha256()
        cipherSha != plain.sha256()
        opensslSha(theirKey, image, sectorSize, plain.length) == plain.sha256()

        and: 'cryptsetup found nothing to repair'
        Sh.sha256(ro) == before

        where:
        kdf        | keyBits | sectorSize | metadata
        'pbkdf2'   | 512     | 512        | 0x4000
        'pbkdf2'   | 256     | 4096       | 0x80000
        'argon2id' | 512     | 4096       | 0x4000
        'argon2i'  | 512     | 512        | 0x8000
    }

    /** python3-cryptography's decryption of the sectors written at 128 KiB into the data segment, as a digest. */
    static String opensslSha(byte[] key, Path image, int sectorSize, int len) {
        byte[] cipher = Arrays.copyOfRange(Files.readAllBytes(image), (16 << 20) + 128 * 1024, (16 << 20) + 128 * 1024 + len)
        Sh.pythonXtsDecrypt(key, cipher, sectorSize, (128 * 1024) / 512 as long, sectorSize / 512 as long).sha256()
    }

    def "a volume cryptsetup luksFormat made (#pbkdf, #keySize-bit, #sector-byte sectors) unlocks with our code to cryptsetup's volume key"() {
        given:
        def image = Sh.sparseFile(dir.resolve('theirs.img'), 20L << 20)
        def kdfArgs = pbkdf == 'pbkdf2' ? ['--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000'] :
                ['--pbkdf', pbkdf, '--pbkdf-force-iterations', '4', '--pbkdf-memory', '32768', '--pbkdf-parallel', '2']
        Sh.ok(['cryptsetup', 'luksFormat', '-q', '--type', 'luks2', '--cipher', 'aes-xts-plain64', '--key-size', "$keySize",
               '--sector-size', "$sector", '--key-file', '-'] + kdfArgs + [image.toString()], PASS)
        def second = dir.resolve('second.key')
        Files.write(second, 'second'.bytes)
        Sh.ok(['cryptsetup', 'luksAddKey', '-q', '--key-slot', '5', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
               '--key-file', '-', image.toString(), second.toString()], PASS)

        expect:
        def expected = Sh.cryptsetupVolumeKey(image, PASS)
        Luks2Volume.open(image, false).withCloseable { v ->
            assert v.sectorSize() == sector
            assert v.unlock(PASS).volumeKey() == expected
            assert v.unlock(PASS).keyslot() == 0
            assert v.unlock('second'.bytes).keyslot() == 5
            assert v.unlock('second'.bytes).volumeKey() == expected
            true
        }

        where:
        pbkdf      | keySize | sector
        'pbkdf2'   | 512     | 512
        'argon2id' | 512     | 4096
        'argon2i'  | 256     | 512
    }

    def "the second keyslot cryptsetup added opens with its own passphrase"() {
        given:
        def image = Sh.sparseFile(dir.resolve('two.img'), 20L << 20)
        Sh.ok(['cryptsetup', 'luksFormat', '-q', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
               '--key-file', '-', image.toString()], PASS)
        def keyFile = dir.resolve('second.key')
        Files.write(keyFile, pattern(64, 3))
        Sh.ok(['cryptsetup', 'luksAddKey', '-q', '--key-slot', '7', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
               '--key-file', '-', image.toString(), keyFile.toString()], PASS)

        expect:
        Luks2Volume.open(image, false).withCloseable { v -> v.unlock(Files.readAllBytes(keyFile)).keyslot() } == 7
    }

    def "data cryptsetup encrypted with reencrypt --encrypt (encrypt-cloud-image parameters, #sector-byte sectors) decrypts with our code"() {
        given: '4 MiB of plaintext followed by the 32 MiB reencrypt needs for the header'
        byte[] plain = pattern(4 << 20, 11)
        def image = dir.resolve('reenc.img')
        Files.write(image, plain)
        Sh.sparseFile(image, (4L << 20) + (32L << 20))
        Sh.ok(['cryptsetup', '-q', 'reencrypt', '--encrypt', '--type', 'luks2', '--key-file', '-', '--cipher', 'aes-xts-plain64',
               '--key-size', '512', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--luks2-metadata-size', '512k',
               '--luks2-keyslots-size', '15360k', '--reduce-device-size', '32m', '--sector-size', "$sector", image.toString()], PASS)

        when:
        byte[] decrypted = new byte[plain.length]
        Luks2Volume.open(image, false).withCloseable { v ->
            def key = v.unlock(PASS).volumeKey()
            v.read(key, 0, decrypted, 0, decrypted.length)
        }
        def decryptedSha = decrypted.sha256(), plainSha = plain.sha256()

        then: 'every sector matches the original plaintext'
        decryptedSha == plainSha

        where:
        sector << [512, 4096]
    }

    def "keyslots we add and remove are seen by cryptsetup"() {
        given:
        def image = Sh.sparseFile(dir.resolve('slots.img'), 17L << 20)
        def pbkdf2 = Luks2Kdf.pbkdf2('sha256', 1000, new byte[0])
        def opts = new Luks2FormatOptions().kdf(pbkdf2).digestIterations(1000)
        Luks2Volume.format(image, opts, PASS, Entropy.secure()).close()

        when: 'a key-file keyslot 10 is added and keyslot 0 removed'
        Luks2Volume.open(image, true).withCloseable { v ->
            def key = v.unlock(PASS).volumeKey()
            assert v.addKeyslot(key, 'growpart'.bytes, pbkdf2, 10) == 10
            v.removeKeyslot(0)
        }
        def ro = Sh.readOnlyCopy(image)
        def json = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', ro.toString()]).out)

        then:
        json.keyslots.fieldNames().toList() == ['10']
        json.digests.'0'.keyslots*.asText() == ['10']
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '10', '--key-file', '-', ro.toString()], 'growpart'.bytes).exit == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', '-', ro.toString()], PASS).exit == 2
    }

    def "a systemd-tpm2 token we add is exported by cryptsetup, and a token cryptsetup imports is listed by us"() {
        given:
        def image = Sh.sparseFile(dir.resolve('tok.img'), 17L << 20)
        def opts = new Luks2FormatOptions().kdf(Luks2Kdf.pbkdf2('sha256', 1000, new byte[0])).digestIterations(1000)
        Luks2Volume.format(image, opts, PASS, Entropy.secure()).close()
        def token = (ObjectNode) JSON.readTree('''{"type":"systemd-tpm2","keyslots":["0"],"tpm2-blob":"AAEC","tpm2-pcrs":[7],
            "tpm2-pcr-bank":"sha256","tpm2-primary-alg":"ecc","tpm2-policy-hash":"00ff","tpm2-pin":false}''')

        when:
        int id = Luks2Volume.open(image, true).withCloseable { v -> v.addToken(token, -1) }
        def exported = JSON.readTree(Sh.ok(['cryptsetup', 'token', 'export', '--token-id', "$id", Sh.readOnlyCopy(image).toString()]).out)

        then:
        id == 0
        exported == token

        when: 'cryptsetup imports a second token'
        Sh.ok(['cryptsetup', 'token', 'import', '--token-id', '3', image.toString()],
                '{"type":"ubuntu-fde-cloudimg-key","keyslots":["0"],"ubuntu_fde_cloudimg_key":"c2VjcmV0"}'.bytes)
        def tokens = Luks2Volume.open(image, false).withCloseable { v -> v.tokens().deepCopy() }

        then:
        tokens.fieldNames().toList() == ['0', '3']
        tokens.'3'.type.asText() == 'ubuntu-fde-cloudimg-key'

        when: 'a systemd-tpm2 token without the fields systemd requires'
        Luks2Volume.open(image, true).withCloseable { v ->
            v.addToken((ObjectNode) JSON.readTree('{"type":"systemd-tpm2","keyslots":["0"],"tpm2-pcrs":[7]}'), -1)
        }

        then:
        def e = thrown(RecipeException)
        e.message.contains('tpm2-blob')
    }

    def "the same seed, passphrase and options give byte-identical images"() {
        given:
        def opts = { new Luks2FormatOptions().kdf(Luks2Kdf.pbkdf2('sha256', 1000, new byte[0])).digestIterations(1000).uuid('6b2c1f57-3c3c-4f56-9f59-2d3b0a4a8f10') }
        def build = { String name ->
            def image = Sh.sparseFile(dir.resolve(name), 17L << 20)
            Luks2Volume.format(image, opts(), PASS, Entropy.deterministic('seed'.bytes)).withCloseable { v ->
                def key = v.unlock(PASS).volumeKey()
                byte[] data = pattern(1 << 20, 1)
                v.write(key, 0, data, 0, data.length)
            }
            Files.readAllBytes(image).sha256()
        }

        expect:
        build('a.img') == build('b.img')
    }
}
