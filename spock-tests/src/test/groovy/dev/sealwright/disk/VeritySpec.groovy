package dev.sealwright.disk

import dev.sealwright.base.Progress
import dev.sealwright.disk.verity.VeritySuperblock
import dev.sealwright.disk.verity.VerityTree
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** dm-verity hash trees against veritysetup 2.6 (format and verify run in userspace, no dm needed). */
class VeritySpec extends Specification {
    @TempDir
    Path dir
    static final String SALT = '5eed00112233445566778899aabbccddeeff00112233445566778899aabbccdd'
    static final String UUID_TEXT = '6b2c1f57-3c3c-4f56-9f59-2d3b0a4a8f10'

    Path data(long blocks, int seed) {
        def p = dir.resolve("data-$blocks")
        byte[] b = new byte[blocks * 4096]
        new Random(seed).nextBytes(b)
        Files.write(p, b)
        p
    }

    static VerityTree tree(long blocks, String alg = 'sha256', int dataBlock = 4096, int hashBlock = 4096) {
        new VerityTree(new VeritySuperblock(1, UUID.fromString(UUID_TEXT), alg, dataBlock, hashBlock, blocks, SALT.decodeHex()))
    }

    def "our hash device for #blocks data blocks (#alg) is byte-identical to veritysetup format's, with the same root hash"() {
        given:
        def d = data(blocks, 1)
        def theirs = dir.resolve('theirs.hash')
        def out = Sh.ok(['veritysetup', 'format', '--hash', alg, '--salt', SALT, '--uuid', UUID_TEXT, d.toString(), theirs.toString()]).out
        def theirRoot = (out =~ /Root hash:\s+([0-9a-f]+)/)[0][1]

        when:
        def ours = dir.resolve('ours.hash')
        def root = tree(blocks, alg).format(d, ours, Progress.NONE)

        then:
        root.encodeHex().toString() == theirRoot
        Files.readAllBytes(ours) == Files.readAllBytes(theirs)

        where:
        blocks | alg
        1      | 'sha256'
        2      | 'sha256'
        128    | 'sha256'
        129    | 'sha256'
        16385  | 'sha256'
        300    | 'sha512'
        300    | 'sha1'
    }

    def "veritysetup verify accepts our tree and root hash, and fails after one flipped data byte, as does our verify"() {
        given:
        def d = data(1000, 2)
        def hash = dir.resolve('ours.hash')
        def root = tree(1000).format(d, hash, Progress.NONE).encodeHex().toString()

        expect:
        Sh.run(['veritysetup', 'verify', d.toString(), hash.toString(), root]).exit == 0
        tree(1000).verify(d, hash, root.decodeHex()) == null

        when:
        new RandomAccessFile(d.toFile(), 'rw').withCloseable { it.seek(4096 * 777 + 5); int b = it.read(); it.seek(4096 * 777 + 5); it.write(b ^ 1) }

        then:
        Sh.run(['veritysetup', 'verify', d.toString(), hash.toString(), root]).exit != 0
        tree(1000).verify(d, hash, root.decodeHex()) == "${d}: data block 777 does not match its hash in ${hash}".toString()
    }

    def "the superblock veritysetup writes decodes to its parameters, and our verify accepts its tree and root hash"() {
        given:
        def d = data(64, 3)
        def theirs = dir.resolve('theirs.hash')
        def out = Sh.ok(['veritysetup', 'format', '--salt', SALT, '--uuid', UUID_TEXT, '--data-block-size', '1024', d.toString(), theirs.toString()]).out
        def theirRoot = (out =~ /Root hash:\s+([0-9a-f]+)/)[0][1]

        when:
        def sb = VeritySuperblock.decode(Files.readAllBytes(theirs))

        then:
        sb.hashType() == 1
        sb.uuid().toString() == UUID_TEXT
        sb.algorithm() == 'sha256'
        sb.dataBlockSize() == 1024
        sb.hashBlockSize() == 4096
        sb.dataBlocks() == 256
        sb.salt().encodeHex().toString() == SALT
        new VerityTree(sb).verify(d, theirs, theirRoot.decodeHex()) == null
    }
}
