package dev.sealwright.disk

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.testkit.Cli
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * cryptsetup's LUKS2 header validation suite (tests/luks2-validation-test from Debian's cryptsetup
 * source), image by image: `luks dump` (and `luks token remove --token-id 0` for the "T" images)
 * must give the outcome the suite expects of `cryptsetup luksDump` / `cryptsetup token remove`.
 * The installed cryptsetup is run on each image too, as a check of the expectations, and a header
 * both read must give both the same JSON metadata.
 */
class CryptsetupValidationSuiteSpec extends Specification {
    static final ObjectMapper JSON = new ObjectMapper()

    @Shared
    CryptsetupSuite suite = CryptsetupSuite.get()
    @TempDir
    Path dir

    def "the suite has one RUN line per generated image and only the outcomes R, F and T"() {
        expect:
        suite.cases*.image.sort() == suite.generators.collect { it.replaceFirst(/^generate-/, '').replaceFirst(/\.sh$/, '') }.sort()
        suite.cases.every { it.expect in ['R', 'F', 'T'] }
        suite.cases.every { Files.isRegularFile(suite.images.resolve(it.image)) }
    }

    def "#c.image: sealwright and cryptsetup both give the suite's expected result #c.expect (#c.message)"() {
        given:
        def image = suite.copy(c.image, dir)
        def before = Sh.sha256(image)

        when: 'ours first: cryptsetup repairs a damaged copy on disk when it reads one'
        def removed = c.expect == 'T' ? Cli.run('luks', 'token', 'remove', image.toString(), '--token-id', '0') : null
        def dump = Cli.run('luks', 'dump', '--json', image.toString())
        def unchanged = Sh.sha256(image) == before

        then:
        switch (c.expect) {
            case 'R':
                assert dump.exitCode == 0: dump
                assert unchanged: 'luks dump wrote to the image'
                break
            case 'F':
                assert dump.exitCode == 1: dump
                assert dump.out.trim().isEmpty()
                assert dump.err.readLines().size() == 1 && dump.err.startsWith(image.toString()): dump
                assert unchanged: 'luks dump wrote to the image'
                break
            case 'T':
                assert removed.exitCode == 0: removed
                assert dump.exitCode == 0: dump
                assert !JSON.readTree(dump.out).metadata.tokens.has('0')
                break
            default:
                assert false: "unknown expectation ${c.expect} in the suite"
        }

        when: 'the real cryptsetup on a fresh copy, as luks2-validation-test runs it'
        def theirs = suite.copy(c.image, Files.createDirectory(dir.resolve('cryptsetup')))
        def csRemoved = c.expect == 'T' ? Sh.run(['cryptsetup', 'token', 'remove', '--token-id', '0', theirs.toString()]) : null
        def csDump = Sh.run(['cryptsetup', 'luksDump', theirs.toString()])
        def csMetadata = c.expect == 'F' ? null : Sh.run(['cryptsetup', 'luksDump', '--dump-json-metadata', theirs.toString()])

        then: 'it agrees, and a readable header has the same metadata for both'
        switch (c.expect) {
            case 'R':
                assert csDump.exit == 0: csDump
                assert JSON.readTree(dump.out).metadata == JSON.readTree(csMetadata.out)
                break
            case 'F':
                assert csDump.exit != 0 && csDump.exit != 139: csDump
                break
            case 'T':
                assert csRemoved.exit == 0: csRemoved
                assert csDump.exit == 0: csDump
                assert JSON.readTree(dump.out).metadata == JSON.readTree(csMetadata.out)
                break
        }

        where:
        c << CryptsetupSuite.get().cases
    }

    def "#name: luks repair rewrites the damaged copy (#copy), which cryptsetup then reads alone"() {
        given:
        def image = suite.copy(name, dir)
        long hdr = 16384

        when:
        def dump = Cli.run('luks', 'dump', image.toString())
        def repair = Cli.run('luks', 'repair', image.toString())
        def again = Cli.run('luks', 'repair', image.toString())

        then: 'dump warns and names the verb; repair writes; a second repair finds nothing'
        dump.exitCode == 0 && dump.err.contains('luks repair')
        repair.exitCode == 0 && repair.out.contains('repaired')
        again.exitCode == 0 && again.out.contains('nothing to repair')

        when: 'the other copy is destroyed, so that cryptsetup must read the repaired one'
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { f -> f.seek(copy == 'hdr0' ? hdr : 0); f.write('VACUUM'.bytes) }
        def ro = Sh.readOnlyCopy(image)

        then:
        Sh.run(['cryptsetup', 'luksDump', ro.toString()]).exit == 0
        JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', ro.toString()]).out) ==
                JSON.readTree(Cli.run('luks', 'dump', '--json', image.toString()).out).metadata

        where:
        name                                          | copy
        'luks2-invalid-checksum-hdr0.img'             | 'hdr0'
        'luks2-invalid-checksum-hdr1.img'             | 'hdr1'
        'luks2-corrupted-hdr0-with-correct-chks.img'  | 'hdr0'
        'luks2-corrupted-hdr1-with-correct-chks.img'  | 'hdr1'
        'luks2-argon2-leftover-params.img'            | 'hdr1'
    }

    def "the suite's base image has keyslots of the pre-release kdf type argon2: readable, but unlocking is refused in one line, as cryptsetup refuses it"() {
        given:
        def image = suite.copy('luks2_valid_hdr.img', dir)
        def key = dir.resolve('key'), newKey = dir.resolve('new-key')
        Files.writeString(key, 'any passphrase')
        Files.writeString(newKey, 'another passphrase')
        def before = Sh.sha256(image)

        when:
        def dump = Cli.run('luks', 'dump', image.toString())
        def add = Cli.run('luks', 'add-key', image.toString(), '--key-file', key.toString(), '--new-key-file', newKey.toString())

        then:
        dump.exitCode == 0
        add.exitCode == 1
        add.err.readLines() == ["${image}: keyslot 0 uses kdf type \"argon2\" (pbkdf2, argon2i and argon2id are supported)".toString()]
        Sh.sha256(image) == before
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', key.toString(), Sh.readOnlyCopy(image).toString()]).exit != 0
    }
}
