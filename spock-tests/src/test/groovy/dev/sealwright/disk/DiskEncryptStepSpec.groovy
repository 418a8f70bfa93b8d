package dev.sealwright.disk

import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The cached {@code disk.encrypt} step through a recipe. */
class DiskEncryptStepSpec extends Specification {
    @TempDir
    Path dir

    def "a recipe encrypts the rootfs once, reuses the cached result, and rebuilds the same bytes from a seed"() {
        given:
        def image = Sh.sparseFile(dir.resolve('disk.img'), 48L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '15:2048:+8M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', image.toString()])
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { raf ->
            byte[] b = new byte[30 << 20]; new Random(4).nextBytes(b); raf.seek(10L << 20); raf.write(b)
        }
        Files.write(dir.resolve('root.key'), 'recipe passphrase'.bytes)
        Files.write(dir.resolve('seed'), 'reproducible seed'.bytes)
        def recipe = dir.resolve('encrypt.groovy')
        Files.writeString(recipe, '''
            pipeline('encrypt') {
                diskEncrypt('rootfs') {
                    image      file('disk.img')
                    passphrase secret(file: 'root.key')
                    seed       secret(file: 'seed')
                }
            }
        ''')
        def published = { -> Files.walk(dir.resolve('out')).withCloseable { s -> s.filter { it.fileName.toString() == 'disk.img' }.findFirst().get() } }

        when:
        def first = Cli.run('run', recipe.toString(), '-C', dir.toString())
        def out = published()
        def firstSha = Sh.sha256(out)
        def second = Cli.run('run', recipe.toString(), '-C', dir.toString())
        def fresh = Cli.run('run', recipe.toString(), '-C', dir.toString(), '--fresh')

        then:
        first.exitCode == 0
        second.exitCode == 0
        second.out.toLowerCase().contains('cached')
        fresh.exitCode == 0
        Sh.sha256(published()) == firstSha
        Sh.ok(['sgdisk', '-v', out.toString()]).out.contains('No problems found')

        when: 'the LUKS2 partition is cut out for cryptsetup'
        def part = Sh.cutPartition(out, 1, dir.resolve('part.img'))

        then:
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', dir.resolve('root.key').toString(), part.toString()]).exit == 0
        Sh.ok(['cryptsetup', 'luksDump', part.toString()]).out =~ /Label:\s+cloudimg-rootfs-enc/
    }
}
