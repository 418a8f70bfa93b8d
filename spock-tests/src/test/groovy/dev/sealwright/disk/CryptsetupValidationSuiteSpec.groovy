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
 * The installed cryptsetup is run on the same images as a check of the expectations.
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

    def "#c.image: sealwright gives the suite's expected result #c.expect (#c.message)"() {
        given:
        def image = dir.resolve(c.image)
        Files.copy(suite.images.resolve(c.image), image)
        def before = Sh.sha256(image)

        when:
        def removed = c.expect == 'T' ? Cli.run('luks', 'token', 'remove', image.toString(), '--token-id', '0') : null
        def dump = Cli.run('luks', 'dump', '--json', image.toString())

        then:
        switch (c.expect) {
            case 'R':
                assert dump.exitCode == 0: dump
                assert Sh.sha256(image) == before: 'luks dump wrote to the image'
                break
            case 'F':
                assert dump.exitCode == 1: dump
                assert dump.out.trim().isEmpty()
                assert dump.err.readLines().size() == 1 && dump.err.startsWith(image.toString()): dump
                assert Sh.sha256(image) == before: 'luks dump wrote to the image'
                break
            case 'T':
                assert removed.exitCode == 0: removed
                assert dump.exitCode == 0: dump
                assert !JSON.readTree(dump.out).metadata.tokens.has('0')
                break
        }

        where:
        c << CryptsetupSuite.get().cases
    }

    def "#c.image: cryptsetup #c.expect agrees, and for a readable header its JSON is ours"() {
        given:
        def image = dir.resolve(c.image)
        Files.copy(suite.images.resolve(c.image), image)
        def ours = Cli.run('luks', 'dump', '--json', image.toString())

        when:
        def removed = c.expect == 'T' ? Sh.run(['cryptsetup', 'token', 'remove', '--token-id', '0', image.toString()]) : null
        def dump = Sh.run(['cryptsetup', 'luksDump', image.toString()])
        def metadata = Sh.run(['cryptsetup', 'luksDump', '--dump-json-metadata', image.toString()])

        then:
        switch (c.expect) {
            case 'R':
                assert dump.exit == 0: dump
                assert JSON.readTree(ours.out).metadata == JSON.readTree(metadata.out)
                break
            case 'F':
                assert dump.exit != 0 && dump.exit != 139: dump
                break
            case 'T':
                assert removed.exit == 0: removed
                assert dump.exit == 0: dump
                assert !JSON.readTree(metadata.out).tokens.has('0')
                break
        }

        where:
        c << CryptsetupSuite.get().cases
    }
}
