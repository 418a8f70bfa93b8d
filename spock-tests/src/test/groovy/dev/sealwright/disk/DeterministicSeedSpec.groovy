package dev.sealwright.disk

import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The reproducibility seed is a secret: read from a file or stdin, never from argv. */
class DeterministicSeedSpec extends Specification {
    @TempDir
    Path dir

    List<String> format(Path image, String... seed) {
        ['luks', 'format', image.toString(), '--size', "${17 << 20}".toString(), '--key-file', dir.resolve('key').toString(),
         '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', *seed]
    }

    def setup() {
        Files.writeString(dir.resolve('key'), 'passphrase')
        Files.writeString(dir.resolve('seed'), 'seed text')
    }

    def "the old --deterministic-seed TEXT is refused in one line naming the new option, before anything is written"() {
        when:
        def r = Cli.run(*format(dir.resolve('old.img'), '--deterministic-seed', 'hunter2-swordfish'))

        then:
        r.exitCode == 2
        r.err.readLines()[0] == 'sealwright: --deterministic-seed TEXT would put a secret on the command line: use --deterministic-seed-file FILE ("-" = stdin)'
        !r.err.contains('hunter2-swordfish')
        !Files.exists(dir.resolve('old.img'))
    }

    def "the same seed from a file or from stdin gives the same bytes, and cryptsetup opens the volume"() {
        when:
        def fromFile = Cli.run(*format(dir.resolve('a.img'), '--deterministic-seed-file', dir.resolve('seed').toString()))
        def oldIn = System.in
        System.in = new ByteArrayInputStream('seed text'.bytes)
        def fromStdin
        try {
            fromStdin = Cli.run(*format(dir.resolve('b.img'), '--deterministic-seed-file', '-'))
        } finally {
            System.in = oldIn
        }

        then:
        fromFile.exitCode == 0
        fromStdin.exitCode == 0
        Sh.sha256(dir.resolve('a.img')) == Sh.sha256(dir.resolve('b.img'))
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', dir.resolve('key').toString(), Sh.readOnlyCopy(dir.resolve('a.img')).toString()]).exit == 0
    }
}
