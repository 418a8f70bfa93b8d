package dev.sealwright.disk

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The luks / verity / disk verbs, checked with cryptsetup, veritysetup and sgdisk. */
class DiskCliSpec extends Specification {
    @TempDir
    Path dir
    static final ObjectMapper JSON = new ObjectMapper()

    Path keyFile(String name, String content) {
        def p = dir.resolve(name)
        Files.write(p, content.bytes)
        p
    }

    def "luks format, dump --json, add-key, token add/list/remove and remove-key agree with cryptsetup"() {
        given:
        def image = dir.resolve('v.img')
        def k1 = keyFile('k1', 'first passphrase'), k2 = keyFile('k2', 'second passphrase')
        def pbkdf2 = ['--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000']

        when:
        def format = Cli.run(*(['luks', 'format', image.toString(), '--size', "${20 << 20}", '--key-file', k1.toString(), '--label', 'data'] + pbkdf2))

        then:
        format.exitCode == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', k1.toString(), Sh.readOnlyCopy(image).toString()]).exit == 0

        when: 'our JSON dump is compared with the metadata cryptsetup parsed'
        def ours = JSON.readTree(Cli.run('luks', 'dump', '--json', image.toString()).out)
        def theirs = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', Sh.readOnlyCopy(image).toString()]).out)

        then:
        ours.metadata == theirs
        ours.label.asText() == 'data'
        ours.uuid.asText() == Sh.ok(['cryptsetup', 'luksUUID', Sh.readOnlyCopy(image).toString()]).out.trim()

        when:
        def add = Cli.run(*(['luks', 'add-key', image.toString(), '--key-file', k1.toString(), '--new-key-file', k2.toString(), '--key-slot', '3'] + pbkdf2))
        def tokenFile = dir.resolve('token.json')
        Files.writeString(tokenFile, '{"type":"systemd-tpm2","keyslots":["3"],"tpm2-blob":"AAEC","tpm2-pcrs":[7,11],"tpm2-policy-hash":"abcd"}')
        def tokenAdd = Cli.run('luks', 'token', 'add', image.toString(), '--json-file', tokenFile.toString())
        def list = Cli.run('luks', 'token', 'list', image.toString())

        then:
        add.exitCode == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '3', '--key-file', k2.toString(), Sh.readOnlyCopy(image).toString()]).exit == 0
        tokenAdd.exitCode == 0
        list.out.trim() == '0\tsystemd-tpm2\tkeyslots ["3"]'
        JSON.readTree(Sh.ok(['cryptsetup', 'token', 'export', '--token-id', '0', Sh.readOnlyCopy(image).toString()]).out) == JSON.readTree(Files.readString(tokenFile))

        when:
        def removeToken = Cli.run('luks', 'token', 'remove', image.toString(), '--token-id', '0')
        def remove0 = Cli.run('luks', 'remove-key', image.toString(), '--key-slot', '0')
        def removeLast = Cli.run('luks', 'remove-key', image.toString(), '--key-slot', '3')

        then:
        removeToken.exitCode == 0
        remove0.exitCode == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', k1.toString(), Sh.readOnlyCopy(image).toString()]).exit == 2
        Sh.run(['cryptsetup', 'token', 'export', '--token-id', '0', Sh.readOnlyCopy(image).toString()]).exit != 0
        removeLast.exitCode == 1
        removeLast.err.trim() == "${image}: keyslot 3 is the last one; removing it makes the data unrecoverable (use --force)".toString()
    }

    def "luks errors are one line: wrong passphrase, not a LUKS image, missing key file"() {
        given:
        def image = dir.resolve('v.img')
        def k1 = keyFile('k1', 'pw')
        Cli.run('luks', 'format', image.toString(), '--size', "${17 << 20}", '--key-file', k1.toString(), '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000')
        def plain = Sh.sparseFile(dir.resolve('plain.img'), 1 << 20)

        when:
        def wrong = Cli.run('luks', 'add-key', image.toString(), '--key-file', keyFile('bad', 'nope').toString(), '--new-key-file', k1.toString())
        def notLuks = Cli.run('luks', 'dump', plain.toString())
        def noKey = Cli.run('luks', 'add-key', image.toString(), '--key-file', dir.resolve('missing').toString(), '--new-key-file', k1.toString())

        then:
        wrong.exitCode == 1
        wrong.err.trim() == "${image}: no keyslot matches the passphrase".toString()
        notLuks.exitCode == 1
        notLuks.err.trim() == "${plain}: not a LUKS2 device (no LUKS2 header magic)".toString()
        noKey.exitCode == 1
        noKey.err.trim() == "${dir.resolve('missing')}: no such file (a key file)".toString()
    }

    def "verity format prints veritysetup's root hash and verify fails after a flipped byte"() {
        given:
        def data = dir.resolve('data.img')
        byte[] b = new byte[3000 * 4096]
        new Random(5).nextBytes(b)
        Files.write(data, b)
        def salt = 'aa' * 32
        def expected = (Sh.ok(['veritysetup', 'format', '--salt', salt, data.toString(), dir.resolve('theirs.hash').toString()]).out =~ /Root hash:\s+([0-9a-f]+)/)[0][1]

        when:
        def fmt = Cli.run('verity', 'format', data.toString(), dir.resolve('ours.hash').toString(), '--salt', salt, '--root-hash-file', dir.resolve('root').toString())
        def ok = Cli.run('verity', 'verify', data.toString(), dir.resolve('ours.hash').toString(), '--root-hash-file', dir.resolve('root').toString())

        then:
        fmt.exitCode == 0
        fmt.out.contains("Root hash:       ${expected}")
        Files.readString(dir.resolve('root')).trim() == expected
        ok.exitCode == 0
        Sh.run(['veritysetup', 'verify', data.toString(), dir.resolve('ours.hash').toString(), expected]).exit == 0

        when:
        new RandomAccessFile(data.toFile(), 'rw').withCloseable { it.seek(12345); it.write(0x5a ^ it.read()) }
        def bad = Cli.run('verity', 'verify', data.toString(), dir.resolve('ours.hash').toString(), expected)

        then:
        bad.exitCode == 1
        bad.err.contains('data block 3 does not match its hash')
    }

    /** A cloud-image-like disk: BIOS boot (14), ESP (15), rootfs (1) last, every partition full of random bytes. */
    Path cloudDisk(String name) {
        def image = Sh.sparseFile(dir.resolve(name), 64L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '14:2048:+4M', '-t', '14:ef02', '-n', '15:0:+16M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300',
               '-c', '1:cloudimg-rootfs', image.toString()])
        def rnd = new Random(9)
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { raf ->
            byte[] chunk = new byte[1 << 20]
            for (long off = 2048 * 512; off < 131039L * 512 - chunk.length; off += chunk.length) {
                rnd.nextBytes(chunk); raf.seek(off); raf.write(chunk)
            }
        }
        image
    }

    static byte[] slice(Path p, long off, int len) {
        new RandomAccessFile(p.toFile(), 'r').withCloseable { raf -> byte[] b = new byte[len]; raf.seek(off); raf.readFully(b); b }
    }

    /** Digest of a file range, so a failing comparison prints two short strings, not megabytes. */
    static String sliceSha(Path p, long off, int len) {
        slice(p, off, len).sha256()
    }

    /** OpenSSL's decryption (python3-cryptography) of 64 KiB of 512-byte sectors at {@code off}, as a digest. */
    static String xtsSha(byte[] key, Path p, long off, long firstSector) {
        Sh.pythonXtsDecrypt(key, slice(p, off, 65536), 512, firstSector, 1).sha256()
    }

    def "disk encrypt turns the rootfs into LUKS2 that cryptsetup opens, keeps the other partitions, and fixes the GPT"() {
        given:
        def input = cloudDisk('in.img')
        def before = Sh.sha256(input)
        def out = dir.resolve('out.img')
        def key = dir.resolve('root.key')

        when:
        def run = Cli.run('disk', 'encrypt', input.toString(), '-o', out.toString(), '--generate-key', key.toString())

        then:
        run.exitCode == 0
        Sh.sha256(input) == before
        Files.size(key) == 16
        Files.getPosixFilePermissions(key)*.toString().sort() == ['OWNER_READ', 'OWNER_WRITE']
        Sh.ok(['sgdisk', '-v', out.toString()]).out.contains('No problems found')

        when: 'the partition table is read by sgdisk and the LUKS2 partition cut out for cryptsetup'
        def info = Sh.ok(['sgdisk', '-i', '1', out.toString()]).out
        long first = (info =~ /First sector: (\d+)/)[0][1] as long
        long last = (info =~ /Last sector: (\d+)/)[0][1] as long
        def part = dir.resolve('part1.img')
        Files.write(part, slice(out, first * 512, (int) ((last - first + 1) * 512)))
        def meta = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', part.toString()]).out)
        def dump = Sh.ok(['cryptsetup', 'luksDump', part.toString()]).out

        then: 'encrypt-cloud-image parameters'
        first == 43008
        last - first + 1 == 88031 + 32768
        dump =~ /Label:\s+cloudimg-rootfs-enc/
        meta.config.json_size.asText() == '520192'
        meta.config.keyslots_size.asText() == '15728640'
        meta.segments.'0'.offset.asText() == '16777216'
        meta.keyslots.'0'.kdf.type.asText() == 'pbkdf2'
        meta.keyslots.'0'.kdf.iterations.asInt() == 1000
        meta.digests.'0'.iterations.asInt() == 1000
        meta.keyslots.'0'.area.offset.asText() == '1048576'  // where cryptsetup reencrypt puts it too
        meta.keyslots.'0'.key_size.asInt() == 64
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', key.toString(), part.toString()]).exit == 0

        and: 'the other partitions are byte-identical, and the rootfs decrypts (OpenSSL, cryptsetup volume key) to the original'
        sliceSha(out, 2048 * 512, 40960 * 512) == sliceSha(input, 2048 * 512, 40960 * 512) // BIOS boot and ESP
        def vk = Sh.cryptsetupVolumeKey(part, Files.readAllBytes(key))
        long partBytes = 88031L * 512
        xtsSha(vk, part, 16 << 20, 0) == sliceSha(input, 43008L * 512, 65536)
        xtsSha(vk, part, (16 << 20) + partBytes - 65536, (partBytes - 65536).intdiv(512) as long) ==
                sliceSha(input, 43008L * 512 + partBytes - 65536, 65536)
    }

    def "disk encrypt is reproducible with a seed and refuses output = input, existing keys, missing partitions"() {
        given:
        def input = cloudDisk('in.img')
        def key = keyFile('k', 'pw')
        def seed = keyFile('seed', 'x')
        def enc = { String name -> Cli.run('disk', 'encrypt', input.toString(), '-o', dir.resolve(name).toString(), '--key-file', key.toString(), '--deterministic-seed-file', seed.toString()) }

        expect:
        enc('a.img').exitCode == 0
        enc('b.img').exitCode == 0
        Sh.sha256(dir.resolve('a.img')) == Sh.sha256(dir.resolve('b.img'))

        when:
        def same = Cli.run('disk', 'encrypt', input.toString(), '-o', input.toString(), '--key-file', key.toString())
        def exists = Cli.run('disk', 'encrypt', input.toString(), '-o', dir.resolve('c.img').toString(), '--generate-key', key.toString())
        def missing = Cli.run('disk', 'encrypt', input.toString(), '-o', dir.resolve('d.img').toString(), '--key-file', key.toString(), '--partition', 'nosuch')
        def both = Cli.run('disk', 'encrypt', input.toString(), '--in-place', '-o', dir.resolve('e.img').toString(), '--key-file', key.toString())
        def sector = Cli.run('disk', 'encrypt', input.toString(), '-o', dir.resolve('f.img').toString(), '--generate-key', dir.resolve('f.key').toString(), '--sector-size', '1000')

        then:
        same.exitCode == 1
        same.err.trim() == "${input}: the output is the input; use --in-place to encrypt the image itself".toString()
        exists.exitCode == 1
        exists.err.trim() == "${key}: already exists; not overwriting a key file".toString()
        Files.readString(key) == 'pw'
        !Files.exists(dir.resolve('c.img'))
        missing.exitCode == 1
        missing.err.trim().startsWith("${input}: no partition matches \"nosuch\" (has: 1=cloudimg-rootfs, 14=")
        !Files.exists(dir.resolve('d.img'))
        both.exitCode == 2
        both.err.contains('disk encrypt: --in-place and -o OUT exclude each other')
        sector.exitCode == 2
        sector.err.readLines()[0] == 'sealwright: --sector-size: sector size must be 512, 1024, 2048 or 4096, not 1000'
        !Files.exists(dir.resolve('f.key'))     // a key made for an encryption that did not happen is removed
        !Files.exists(dir.resolve('f.img'))
    }

    def "disk encrypt onto a full filesystem fails with one line and leaves no partial output (needs root to mount a small tmpfs)"() {
        given:
        def input = cloudDisk('in.img')
        def small = Files.createDirectories(dir.resolve('small'))
        def mount = Sh.run(['mount', '-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', small.toString()])
        assert mount.exit == 0: "this test mounts a 40 MiB tmpfs and needs root: ${mount.out}"

        when:
        def r = Cli.run('disk', 'encrypt', input.toString(), '-o', small.resolve('out.img').toString(), '--key-file', keyFile('k', 'pw').toString())

        then:
        r.exitCode == 1
        r.err.trim() == "${small.resolve('out.img')}: no space left on device; no output written".toString()
        small.toFile().list().length == 0

        cleanup:
        Sh.run(['umount', small.toString()])
    }
}
