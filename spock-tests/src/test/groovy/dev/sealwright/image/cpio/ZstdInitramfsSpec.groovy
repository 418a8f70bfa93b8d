package dev.sealwright.image.cpio

import dev.sealwright.base.Progress
import dev.sealwright.image.cpio.NewcCpio.Compression
import dev.sealwright.image.oci.FsTree
import dev.sealwright.image.oci.FsTree.Node
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.vm.TestGuest
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** zstd initramfs: checked by the zstd and cpio tools, and booted by Debian's cloud kernel. */
class ZstdInitramfsSpec extends Specification {
    @TempDir Path tmp

    /** About 6 MiB, half text and half noise, so that libzstd cuts it into several jobs at level 3. */
    private FsTree tree() {
        def rnd = new Random(11)
        def tree = new FsTree()
        (0..<12).each { i ->
            def f = tmp.resolve("f${i}")
            def noise = new byte[256 * 1024]; rnd.nextBytes(noise)
            def body = new ByteArrayOutputStream()
            body.write(("line ${i} of some text\n".multiply(12000)).bytes)
            body.write(noise)
            Files.write(f, body.toByteArray())
            tree.put("usr/share/d${i % 3}/f${i}", Node.file(0644, Files.size(f), f))
        }
        tree.put('bin', Node.symlink('usr/bin'))
        tree
    }

    private static byte[] pipe(byte[] input, String... cmd) {
        def p = new ProcessBuilder(cmd).start()
        Thread.start { p.outputStream.withStream { it.write(input) } }
        def err = new ByteArrayOutputStream()
        Thread.start { err << p.errorStream }
        def out = p.inputStream.bytes
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${err}"
        out
    }

    def "zstd output: the same bytes for 1, 2 and 3 threads; zstd -d gives the plain archive, which cpio lists"() {
        given:
        Repo.requireTool('zstd')
        Repo.requireTool('cpio')
        def plain = new ByteArrayOutputStream()
        NewcCpio.write(tree(), 0, plain)

        when:
        def outputs = [1, 2, 3].collect { threads ->
            def out = new ByteArrayOutputStream()
            NewcCpio.writeCompressed(tree(), 0, Compression.ZSTD, 3, threads, out, Progress.NONE)
            out.toByteArray()
        }
        def decompressed = pipe(outputs[0], 'zstd', '-d', '-c')
        def listed = new String(pipe(decompressed, 'cpio', '-t', '--quiet')).readLines()

        then:
        plain.size() > 6_000_000
        outputs[0][0..3] == [0x28, 0xb5, 0x2f, 0xfd].collect { (byte) it }   // a zstd frame
        outputs[1] == outputs[0]
        outputs[2] == outputs[0]
        outputs[0].length < plain.size() * 0.6
        decompressed == plain.toByteArray()
        listed.contains('usr/share/d2/f11') && listed.contains('bin')

        and: 'we read it back'
        NewcCpio.read(new ByteArrayInputStream(outputs[0]), tmp.resolve('blobs'), 'zst').entries().keySet() == tree().entries().keySet()
    }

    def "CLI: initramfs --compression zstd writes an archive that Debian's cloud kernel unpacks and runs"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        def kernel = TestGuest.kernel()
        def root = tmp.resolve('root')
        Files.createDirectories(root.resolve('bin'))
        Files.copy(Repo.requireTool('busybox'), root.resolve('bin/busybox'))
        Files.writeString(root.resolve('init'), """#!/bin/busybox sh
/bin/busybox mkdir -p /proc /dev
/bin/busybox mount -t devtmpfs dev /dev
echo "${TestGuest.MARKER} zstd"
/bin/busybox poweroff -f
""")
        root.resolve('init').toFile().setExecutable(true, false)
        def initrd = tmp.resolve('init.cpio.zst')

        when:
        def pack = Cli.run('initramfs', root.toString(), '-o', initrd.toString(), '--compression', 'zstd', '--level', '19')
        def boot = Cli.run('launch', '--firmware', TestGuest.OVMF_CODE.toString(), '--vars', TestGuest.OVMF_VARS.toString(),
                '--kernel', kernel.toString(), '--initrd', initrd.toString(), '--cmdline', TestGuest.CMDLINE,
                '--cpus', '1', '--memory', '512M', '--wait-for', "${TestGuest.MARKER} zstd".toString(), '--timeout', '180',
                '--run-dir', tmp.resolve('run').toString())

        then:
        pack.exitCode == 0
        Files.readAllBytes(initrd)[0..3] == [0x28, 0xb5, 0x2f, 0xfd].collect { (byte) it }
        boot.exitCode == 0
        boot.out.contains("${TestGuest.MARKER} zstd")
    }

    def "CLI: a compression or level it does not know is a usage error naming the option"() {
        when:
        def bad = Cli.run('initramfs', tmp.toString(), '-o', tmp.resolve('x').toString(), '--compression', 'xz')
        def level = Cli.run('initramfs', tmp.toString(), '-o', tmp.resolve('y').toString(), '--compression', 'zstd', '--level', '22')

        then:
        bad.exitCode == 2
        bad.err.contains('--compression must be gzip or zstd')
        level.exitCode == 2
        level.err.contains('--level must be 1-19 for zstd')
        !Files.exists(tmp.resolve('x')) && !Files.exists(tmp.resolve('y'))
    }
}
