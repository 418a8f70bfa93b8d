package dev.sealwright.disk

import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime
import java.time.Instant
import java.util.concurrent.TimeUnit

import static dev.sealwright.disk.InPlaceEncryptSpec.firstLba
import static dev.sealwright.disk.InPlaceEncryptSpec.journal
import static dev.sealwright.disk.InPlaceEncryptSpec.killWhen
import static dev.sealwright.disk.InPlaceEncryptSpec.lastLba
import static dev.sealwright.disk.InPlaceEncryptSpec.progress
import static dev.sealwright.disk.InPlaceEncryptSpec.slice

/**
 * Kills, torn writes, a full disk and existing outputs: real JVMs running the CLI are killed with
 * SIGKILL; nothing may be lost (the result is checked with cryptsetup and python3-cryptography's
 * AES-XTS against the original bytes), a killed run's temp file does not outlive the next run, the
 * error says in one line how to resume, and an existing output is replaced only with --force.
 */
class KillAndOverwriteSpec extends Specification {
    static final int CHUNK = 64 << 10
    static final int ENCRYPTING = 1, FINISHING = 2

    @TempDir
    Path dir

    Path key() {
        def k = dir.resolve('root.key')
        if (!Files.exists(k)) Files.write(k, 'kill passphrase'.bytes)
        k
    }

    /** A 20 MiB GPT disk whose only partition, the rootfs, is full of random bytes. */
    Path disk(Path at) {
        def image = Sh.sparseFile(at, 20L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '1:2048:0', '-t', '1:8300', '-c', '1:cloudimg-rootfs', image.toString()])
        long start = firstLba(image, 1) * 512, end = (lastLba(image, 1) + 1) * 512
        def rnd = new Random(7)
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { raf ->
            byte[] b = new byte[(int) (end - start)]
            rnd.nextBytes(b); raf.seek(start); raf.write(b)
        }
        image
    }

    /** The rootfs of the original image: offset and SHA-256 of its bytes. */
    Map rootfs(Path original) {
        long start = firstLba(original, 1) * 512, size = (lastLba(original, 1) + 1) * 512 - start
        [start: start, size: size, sha: slice(original, start, (int) size).sha256()]
    }

    /** cryptsetup accepts the LUKS2 partition and the key; its data, decrypted by OpenSSL (python3-cryptography) with the key cryptsetup recovers, is the original rootfs. */
    void decryptsToOriginal(Path image, Map root, Path keyFile = key()) {
        long first = firstLba(image, 1), last = lastLba(image, 1)
        assert first * 512 == root.start
        def part = dir.resolve('part.img')
        Files.deleteIfExists(part)
        Files.write(part, slice(image, first * 512, (int) ((last - first + 1) * 512)))
        def ro = Sh.readOnlyCopy(part)
        assert Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', keyFile.toString(), ro.toString()]).exit == 0
        def vk = Sh.cryptsetupVolumeKey(ro, Files.readAllBytes(keyFile))
        assert Sh.pythonXtsDecrypt(vk, slice(part, 16 << 20, (int) root.size), 512, 0, 1).sha256() == root.sha
    }

    List<String> inPlace(Path image) {
        ['disk', 'encrypt', image.toString(), '--in-place', '--key-file', key().toString(), '--chunk-size', "$CHUNK".toString()]
    }

    List<Path> leftovers(Path d, String name) {
        Files.list(d).withCloseable { s -> s.filter { it.fileName.toString().startsWith(".${name}.") }.toList() }
    }

    def "a copying disk encrypt killed with SIGKILL leaves its temp file; the next run removes it (not a live process's) and writes the output"() {
        given:
        def input = disk(dir.resolve('in.img'))
        def root = rootfs(input)
        def out = dir.resolve('enc.img')

        when: 'killed while its temp file exists'
        def p = Cli.start(dir, 'disk', 'encrypt', input.toString(), '-o', out.toString(), '--key-file', key().toString())
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (leftovers(dir, 'enc.img').isEmpty() && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(1)
        boolean tempSeen = !leftovers(dir, 'enc.img').isEmpty()
        p.destroyForcibly()
        boolean ended = p.waitFor(60, TimeUnit.SECONDS)
        def stale = leftovers(dir, 'enc.img')

        then: 'the stale temp names the dead process'
        tempSeen
        ended
        p.exitValue() == 137
        !Files.exists(out)
        stale.size() == 1
        stale[0].fileName.toString() ==~ /\.enc\.img\.${p.pid()}-\d+\.tmp/

        when: 'a temp file of a process that is alive (this JVM) sits beside it; the command runs again'
        def live = dir.resolve(".enc.img.${ProcessHandle.current().pid()}-1.tmp")
        Files.write(live, [1] as byte[])
        def again = Cli.run('disk', 'encrypt', input.toString(), '-o', out.toString(), '--key-file', key().toString())

        then:
        again.exitCode == 0
        leftovers(dir, 'enc.img') == [live]
        decryptsToOriginal(out, root)
    }

    def "the stdout/stderr temp files of a tool run by a killed JVM go with the next run of that tool"() {
        given: 'the files a JVM killed while running true would leave in java.io.tmpdir'
        def dead = new ProcessBuilder('true').start()
        dead.waitFor()
        def tmp = Path.of(System.getProperty('java.io.tmpdir'))
        def stale = ['.out', '.err'].collect { tmp.resolve(".sealwright-true.${dead.pid()}-1${it}") }
        stale.each { Files.write(it, [0] as byte[]) }

        when:
        def r = new dev.sealwright.tools.Tools().exec('true').run()

        then:
        r.ok()
        stale.every { !Files.exists(it) }
    }

    def "#verb refuses an existing output without --force, in one line, and leaves it as it was"() {
        given:
        def existing = dir.resolve('existing')
        Files.writeString(existing, 'precious')
        Files.createDirectories(dir.resolve('certs'))
        Files.write(dir.resolve('data.img'), new byte[8192])

        when:
        def r = Cli.run(*(args.collect { it.replace('@', dir.toString() + '/') }))

        then:
        r.exitCode == 1
        r.err.trim() == "${existing}: already exists; not overwriting it (add --force to replace it)".toString()
        Files.readString(existing) == 'precious'

        where:
        verb                  | args
        'quote simulate'      | ['quote', 'simulate', '--out', '@existing', '--collateral-out', '@c.json']
        'snp simulate'        | ['snp', 'simulate', '--out', '@r.bin', '--vcek-out', '@existing', '--chain-out', '@chain.pem']
        'initramfs'           | ['initramfs', '@certs', '-o', '@existing']
        'uefi config'         | ['uefi', 'config', '--certs', '@certs', '-o', '@existing']
        'verity format'       | ['verity', 'format', '@data.img', '@existing']
        'vault respond'       | ['vault', 'respond', '--seed', '@seed', '--request', '@req', '--out', '@existing']
        'kbs simulate-quotes' | ['kbs', 'simulate-quotes', '--collateral-out', '@existing']
        'disk deploy'         | ['disk', 'deploy', '@in.img', '-o', '@existing', '--srk-pub', '@srk.pub']
        'disk encrypt'        | ['disk', 'encrypt', '@in.img', '-o', '@existing', '--key-file', '@root.key']
    }

    def "disk encrypt -o EXISTING is refused, and replaced with --force"() {
        given:
        def input = disk(dir.resolve('in.img'))
        def root = rootfs(input)
        def out = dir.resolve('enc.img')
        Files.writeString(out, 'an older image')
        def enc = { String... extra -> Cli.run(*(['disk', 'encrypt', input.toString(), '-o', out.toString(), '--key-file', key().toString()] + (extra as List))) }

        when:
        def refused = enc()

        then:
        refused.exitCode == 1
        refused.err.trim() == "${out}: already exists; not overwriting it (add --force to replace it)".toString()
        Files.readString(out) == 'an older image'

        when:
        def forced = enc('--force')

        then:
        forced.exitCode == 0
        decryptsToOriginal(out, root)
    }

    def "in place, killed during the final header write and the header area torn: the rerun rewrites the header and nothing is lost"() {
        given:
        def image = disk(dir.resolve('disk.img'))
        def root = rootfs(image)

        when: 'SIGKILL as soon as the journal says FINISHING (the 16 MiB header write is under way); then the header area is torn by hand'
        def seen = killWhen(Cli.start(dir, *inPlace(image)), journal(image)) { it.state == FINISHING }
        assert Files.exists(journal(image))
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { raf ->
            byte[] junk = new byte[1 << 20]; new Random(3).nextBytes(junk)
            raf.seek(root.start + 4096); raf.write(junk)   // the torn write: part new header, part junk
        }
        def copying = Cli.run('disk', 'encrypt', image.toString(), '-o', dir.resolve('x.img').toString(), '--key-file', key().toString())
        def done = Cli.run(*inPlace(image))

        then: 'the copying mode names the way on; the rerun resumes'
        seen.state == FINISHING
        copying.exitCode == 1
        copying.err.trim() == "${image}: an in-place encryption was interrupted (disk.img.encrypt-journal); finish it with --in-place or undo it with --in-place --rollback".toString()
        done.exitCode == 0
        done.out.startsWith('resumed and encrypted')
        !Files.exists(journal(image))
        leftovers(dir, 'disk.img').isEmpty()
        decryptsToOriginal(image, root)
    }

    def "in place, killed mid-encryption with its newest journal record torn: the previous record counts and the rerun loses nothing"() {
        given:
        def image = disk(dir.resolve('disk.img'))
        def root = rootfs(image)
        long chunks = ((long) root.size).intdiv(CHUNK)

        when: 'SIGKILL at half the chunks; then the newest progress slot is torn (its second half zeroed)'
        def seen = killWhen(Cli.start(dir, *inPlace(image)), journal(image)) { it.state == ENCRYPTING && it.chunk < chunks / 2 }
        def before = progress(journal(image))
        new RandomAccessFile(journal(image).toFile(), 'rw').withCloseable { raf ->
            raf.seek(4096 + (before.seq % 2) * 512 + 48); raf.write(new byte[48])
        }
        def after = progress(journal(image))
        def done = Cli.run(*inPlace(image))

        then: 'per docs/disk.md the valid record with the lower seq is now current, one chunk higher'
        seen.state == ENCRYPTING
        after.seq == before.seq - 1
        after.chunk == before.chunk + 1
        done.exitCode == 0
        done.out.startsWith('resumed and encrypted')
        !Files.exists(journal(image))
        decryptsToOriginal(image, root)
    }

    def "in place with --generate-key, killed mid-encryption: the rerun reads the key the first run wrote instead of making another"() {
        given:
        def image = disk(dir.resolve('disk.img'))
        def root = rootfs(image)
        long chunks = ((long) root.size).intdiv(CHUNK)
        def generated = dir.resolve('generated.key')
        def args = ['disk', 'encrypt', image.toString(), '--in-place', '--generate-key', generated.toString(), '--chunk-size', "$CHUNK".toString()]

        when:
        def seen = killWhen(Cli.start(dir, *args), journal(image)) { it.state == ENCRYPTING && it.chunk < chunks / 2 }
        byte[] first = Files.readAllBytes(generated)
        def done = Cli.run(*args)

        then:
        seen.state == ENCRYPTING
        done.exitCode == 0
        done.out.startsWith('resumed and encrypted')
        Files.readAllBytes(generated) == first
        first.length == 16
        decryptsToOriginal(image, root, generated)
    }

    def "in place on a full filesystem (a small tmpfs; needs root): no room for the journal leaves the image untouched, ENOSPC mid-encryption is resumed after the disk grows"() {
        given:
        def original = disk(dir.resolve('original.img'))
        def root = rootfs(original)
        def small = Files.createDirectories(dir.resolve('small'))
        def mount = Sh.run(['mount', '-t', 'tmpfs', '-o', 'size=30m', 'tmpfs', small.toString()])
        assert mount.exit == 0: "this test mounts a tmpfs and needs root: ${mount.out}"
        def image = small.resolve('disk.img')
        Files.copy(original, image)

        when: '30 MiB: the 20 MiB image fits, its 16 MiB journal does not'
        def noJournal = Cli.run(*inPlace(image))

        then:
        noJournal.exitCode == 1
        noJournal.err.trim() == "${journal(image)}: no space left on device for the journal; ${image} is untouched: free space (about 16 MiB more than the image) and rerun the same command".toString()
        Sh.sha256(image) == Sh.sha256(original)
        small.toFile().list() as List == ['disk.img']

        when: '44 MiB: the journal fits; the partition moving up into the grown file does not'
        Sh.ok(['mount', '-o', 'remount,size=44m', small.toString()])
        def full = Cli.run(*inPlace(image))
        def mid = progress(journal(image))

        then: 'one line that says nothing is lost and how to resume'
        full.exitCode == 1
        full.err.trim() == "${image}: no space left on device; nothing is lost, disk.img.encrypt-journal holds the progress: free space, then rerun the same command to resume (or add --rollback to undo)".toString()
        mid.state == ENCRYPTING
        mid.chunk > 0

        when: 'the filesystem grows and the same command runs again'
        Sh.ok(['mount', '-o', 'remount,size=80m', small.toString()])
        def done = Cli.run(*inPlace(image))

        then:
        done.exitCode == 0
        done.out.startsWith('resumed and encrypted')
        small.toFile().list() as List == ['disk.img']
        decryptsToOriginal(image, root)

        cleanup:
        Sh.run(['umount', small.toString()])
    }
}
