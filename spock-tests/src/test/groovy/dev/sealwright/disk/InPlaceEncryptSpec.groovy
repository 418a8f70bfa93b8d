package dev.sealwright.disk

import dev.sealwright.disk.luks2.Luks2Volume
import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.util.concurrent.TimeUnit

/**
 * `disk encrypt --in-place`: real JVMs running the CLI are killed with SIGKILL at several points
 * of the journaled encryption and of the rollback; the resumed result is checked with cryptsetup,
 * sgdisk and OpenSSL, the rolled-back image against the original bytes.
 */
class InPlaceEncryptSpec extends Specification {
    static final int CHUNK = 64 << 10
    static final int PREPARED = 0, ENCRYPTING = 1, ROLLING_BACK = 3

    @TempDir
    Path dir

    Path key(String content = 'in-place passphrase') {
        def k = dir.resolve('root.key')
        Files.write(k, content.bytes)
        k
    }

    /** BIOS boot (14), ESP (15), rootfs (1) last; every partition full of random bytes. */
    Path disk(String name) {
        def image = Sh.sparseFile(dir.resolve(name), 40L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '14:2048:+1M', '-t', '14:ef02', '-n', '15:0:+8M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300',
               '-c', '1:cloudimg-rootfs', image.toString()])
        def rnd = new Random(11)
        long end = lastLba(image, 1) * 512 + 512
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { raf ->
            byte[] chunk = new byte[1 << 20]
            for (long off = 2048 * 512; off < end; off += chunk.length) {
                rnd.nextBytes(chunk); raf.seek(off); raf.write(chunk, 0, (int) Math.min(chunk.length, end - off))
            }
        }
        image
    }

    static long firstLba(Path image, int n) { (Sh.ok(['sgdisk', '-i', "$n", image.toString()]).out =~ /First sector: (\d+)/)[0][1] as long }
    static long lastLba(Path image, int n) { (Sh.ok(['sgdisk', '-i', "$n", image.toString()]).out =~ /Last sector: (\d+)/)[0][1] as long }

    static byte[] slice(Path p, long off, int len) {
        new RandomAccessFile(p.toFile(), 'r').withCloseable { raf -> byte[] b = new byte[len]; raf.seek(off); raf.readFully(b); b }
    }

    static Path journal(Path image) { image.resolveSibling(image.fileName.toString() + '.encrypt-journal') }

    /** The journal's current progress record, parsed from the format in docs/disk.md (slots at 4096 and 4608); null if none yet. */
    static Map progress(Path journal) {
        byte[] slots
        try {
            slots = slice(journal, 4096, 1024)
        } catch (IOException ignored) {
            return null // not there yet, or renamed/deleted meanwhile
        }
        Map best = null
        for (int s = 0; s < 2; s++) {
            int o = s * 512
            if (new String(slots, o, 8, 'US-ASCII') != 'SWENCP01') continue
            def md = MessageDigest.getInstance('SHA-256')
            md.update(slots, o, 64)
            if (!MessageDigest.isEqual(md.digest(), Arrays.copyOfRange(slots, o + 64, o + 96))) continue
            def b = ByteBuffer.wrap(slots).order(ByteOrder.LITTLE_ENDIAN)
            def rec = [seq: b.getLong(o + 8), state: b.getInt(o + 16), chunk: b.getLong(o + 24)]
            if (best == null || rec.seq > best.seq) best = rec
        }
        best
    }

    /** Waits until the journal's progress satisfies {@code when}, then SIGKILLs the JVM; returns the progress seen just before. */
    static Map killWhen(Process p, Path journal, Closure<Boolean> when) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180)
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                p.waitFor()
                throw new AssertionError("the CLI ended (exit ${p.exitValue()}) before the kill point:\n${Files.readString(journal.resolveSibling('cli.log'))}")
            }
            def pr = progress(journal)
            if (pr != null && when(pr)) {
                p.destroyForcibly()
                assert p.waitFor(60, TimeUnit.SECONDS)
                assert p.exitValue() == 137: 'killed by SIGKILL'
                return pr
            }
            Thread.sleep(2)
        }
        p.destroyForcibly()
        assert false: 'kill point not reached within 180 s'
        null
    }

    List<String> encryptInPlace(Path image, Path k, String... extra) {
        (['disk', 'encrypt', image.toString(), '--in-place', '--key-file', k.toString(), '--chunk-size', "$CHUNK"] + (extra as List)).collect { it.toString() }
    }

    def "killed three times with SIGKILL and resumed, the rootfs is LUKS2 that cryptsetup opens and decrypts to the original bytes"() {
        given:
        def image = disk('disk.img')
        def original = dir.resolve('original.img')
        Files.copy(image, original)
        def k = key()
        long start = firstLba(image, 1) * 512, size = (lastLba(image, 1) + 1) * 512 - start
        long chunks = size.intdiv(CHUNK)

        when: 'killed as soon as the journal exists, then at two thirds and one third of the chunks left'
        def seen = []
        seen << killWhen(Cli.start(dir, *encryptInPlace(image, k)), journal(image)) { true }
        seen << killWhen(Cli.start(dir, *encryptInPlace(image, k)), journal(image)) { it.state == ENCRYPTING && it.chunk < chunks * 2 / 3 }
        // below the second kill point too: had that kill come late (past a third), the resumed run's first record,
        // still at the second kill point, would otherwise count as the third kill point
        seen << killWhen(Cli.start(dir, *encryptInPlace(image, k)), journal(image)) { it.state == ENCRYPTING && it.chunk < chunks / 3 && it.chunk < seen[1].chunk }
        def done = Cli.run(*encryptInPlace(image, k))

        then:
        seen[0].state in [PREPARED, ENCRYPTING]
        seen[1].chunk > seen[2].chunk
        done.exitCode == 0
        done.out.startsWith('resumed and encrypted')
        !Files.exists(journal(image))
        Sh.ok(['sgdisk', '-v', image.toString()]).out.contains('No problems found')

        when: 'the LUKS2 partition is cut out for cryptsetup and our reader'
        long first = firstLba(image, 1), last = lastLba(image, 1)
        def part = dir.resolve('part1.img')
        Files.write(part, slice(image, first * 512, (int) ((last - first + 1) * 512)))
        def dump = Sh.ok(['cryptsetup', 'luksDump', Sh.readOnlyCopy(part).toString()]).out

        then: 'cryptsetup accepts header and passphrase; the other partitions are untouched'
        first * 512 == start
        (last - first + 1) * 512 == size + (16 << 20)
        dump =~ /Label:\s+cloudimg-rootfs-enc/
        dump =~ /offset: 16777216 \[bytes\]/
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', k.toString(), Sh.readOnlyCopy(part).toString()]).exit == 0
        slice(image, 2048 * 512, (int) (start - 2048 * 512)).sha256() == slice(original, 2048 * 512, (int) (start - 2048 * 512)).sha256()

        when: 'decrypted by our LUKS2 reader, and the chunks in flight at the kills by OpenSSL with the key cryptsetup recovers'
        def vk = Sh.cryptsetupVolumeKey(Sh.readOnlyCopy(part), Files.readAllBytes(k))
        def md = MessageDigest.getInstance('SHA-256')
        Luks2Volume.open(part, false).withCloseable { v ->
            assert v.unlock(Files.readAllBytes(k)).volumeKey() == vk
            byte[] buf = new byte[1 << 20]
            for (long off = 0; off < size; off += buf.length) {
                int n = (int) Math.min(buf.length, size - off)
                v.read(vk, off, buf, 0, n)
                md.update(buf, 0, n)
            }
        }

        then:
        md.digest().encodeHex().toString() == slice(original, start, (int) size).sha256()
        seen.findAll { it.state == ENCRYPTING }.every { pr ->
            long off = pr.chunk * CHUNK
            Sh.pythonXtsDecrypt(vk, slice(part, (16 << 20) + off, CHUNK), 512, off.intdiv(512) as long, 1).sha256() ==
                    slice(original, start + off, CHUNK).sha256()
        }
    }

    def "rollback after a SIGKILL mid-encryption and another mid-rollback gives back the original image byte for byte"() {
        given:
        def image = disk('disk.img')
        def originalSha = Sh.sha256(image)
        long originalSize = Files.size(image)
        def k = key()
        long chunks = ((lastLba(image, 1) + 1 - firstLba(image, 1)) * 512).intdiv(CHUNK)

        when:
        def atKill = killWhen(Cli.start(dir, *encryptInPlace(image, k)), journal(image)) { it.state == ENCRYPTING && it.chunk < chunks / 2 }
        def damaged = dir.resolve('damaged.img.encrypt-journal')
        Files.copy(journal(image), damaged)
        new RandomAccessFile(damaged.toFile(), 'rw').withCloseable { it.seek(8192 + 600); it.write(0x5a ^ it.read()) }
        Files.copy(image, dir.resolve('damaged.img'))
        def tampered = dir.resolve('tampered.img')  // the in-flight chunk's plaintext changed behind the journal's back
        Files.copy(image, tampered)
        Files.copy(journal(image), journal(tampered))
        def durable = progress(journal(image))  // the process may have got past what the test saw before the kill
        new RandomAccessFile(tampered.toFile(), 'rw').withCloseable { it.seek(firstLba(image, 1) * 512 + durable.chunk * CHUNK + 77); it.write(0x01 ^ it.read()) }
        def beforeErrors = Sh.sha256(image)

        then: 'the interrupted image has a journal that the errors below leave alone'
        Files.size(image) > originalSize

        when: 'wrong passphrase, the copying mode, a damaged journal'
        def wrong = Cli.run(*encryptInPlace(image, key('wrong')))
        k = key()
        def copy = Cli.run('disk', 'encrypt', image.toString(), '-o', dir.resolve('out.img').toString(), '--key-file', k.toString())
        def bad = Cli.run(*encryptInPlace(dir.resolve('damaged.img'), k))
        def changed = Cli.run(*encryptInPlace(tampered, k))

        then:
        wrong.exitCode == 1
        wrong.err.trim() == "${journal(image)} (staged LUKS2 header): no keyslot matches the passphrase".toString()
        copy.exitCode == 1
        copy.err.trim() == "${image}: an in-place encryption was interrupted (disk.img.encrypt-journal); finish it with --in-place or undo it with --in-place --rollback".toString()
        bad.exitCode == 1
        bad.err.trim() == "${damaged}: checksum mismatch (the journal is damaged)".toString()
        changed.exitCode == 1
        changed.err.trim() == "${journal(tampered)}: chunk ${durable.chunk} in the image does not match the journal's checksum (was the image changed?)".toString()
        Sh.sha256(image) == beforeErrors

        when: 'the rollback is killed after it restored some chunks, then rerun'
        def inRollback = killWhen(Cli.start(dir, *encryptInPlace(image, k, '--rollback')), journal(image)) {
            it.state == ROLLING_BACK && it.chunk > atKill.chunk + (chunks - atKill.chunk) / 2
        }
        def finish = Cli.run(*encryptInPlace(image, k, '--rollback'))

        then:
        inRollback.chunk < chunks
        finish.exitCode == 0
        finish.out.trim() == "resumed and rolled back: ${image} holds its original bytes again (${originalSize} bytes)".toString()
        Files.size(image) == originalSize
        Sh.sha256(image) == originalSha
        !Files.exists(journal(image))
    }

    def "without an interrupted run there is nothing to roll back; an uninterrupted in-place run equals the copying mode (raw and fixed VHD)"() {
        given:
        def raw = disk('disk.img')
        def vhd = dir.resolve('disk.vhd')
        Sh.ok(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw.toString(), vhd.toString()])
        def k = key()

        when:
        def nothing = Cli.run(*encryptInPlace(raw, k, '--rollback'))

        then:
        nothing.exitCode == 1
        nothing.err.trim() == "${raw}: nothing to roll back (no journal disk.img.encrypt-journal)".toString()

        when:
        def seed = Files.writeString(dir.resolve('seed'), 'same')
        def results = [raw, vhd].collect { img ->
            def copied = dir.resolve("copied-${img.fileName}")
            def c = Cli.run('disk', 'encrypt', img.toString(), '-o', copied.toString(), '--key-file', k.toString(), '--deterministic-seed-file', seed.toString())
            def i = Cli.run('disk', 'encrypt', img.toString(), '--in-place', '--key-file', k.toString(), '--deterministic-seed-file', seed.toString())
            [c.exitCode, i.exitCode, Sh.sha256(copied) == Sh.sha256(img)]
        }

        then:
        results == [[0, 0, true], [0, 0, true]]
        Sh.ok(['sgdisk', '-v', raw.toString()]).out.contains('No problems found')

        when: 'QEMU reads the encrypted fixed VHD'
        def fromVhd = dir.resolve('from-vhd.raw')
        Sh.ok(['qemu-img', 'convert', '-f', 'vpc', '-O', 'raw', vhd.toString(), fromVhd.toString()])

        then:
        Sh.sha256(fromVhd) == Sh.sha256(raw)
    }
}
