package dev.sealwright.image.cpio

import dev.sealwright.base.Progress
import dev.sealwright.image.oci.FsTree
import dev.sealwright.image.oci.FsTree.Node
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class NewcCpioSpec extends Specification {
    @TempDir Path tmp

    private FsTree sampleTree() {
        def a = tmp.resolve('a.txt'); Files.writeString(a, 'alpha\n')
        def b = tmp.resolve('b.bin'); Files.write(b, (0..<5000).collect { (byte) (it * 7) } as byte[])
        def tree = new FsTree()
        tree.put('etc/motd', Node.file(0644, Files.size(a), a))
        tree.put('usr/bin/tool', Node.file(0755, Files.size(b), b))
        tree.put('bin', Node.symlink('usr/bin'))
        tree.put('var/empty', Node.directory(0700))
        tree.put('home/user/file', Node.file(0600, Files.size(a), a).withOwner(1000, 1000))
        tree
    }

    private static String run(Path dir, byte[] stdin, String... cmd) {
        def p = new ProcessBuilder(cmd as List).directory(dir.toFile()).redirectErrorStream(false).start()
        if (stdin != null) { p.outputStream.write(stdin); }
        p.outputStream.close()
        def out = p.inputStream.text
        def err = p.errorStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${err}"
        out
    }

    def "the real cpio lists and extracts our archive with contents, modes, owners and mtimes intact"() {
        given:
        Repo.requireTool('cpio')
        def bytes = new ByteArrayOutputStream()
        NewcCpio.write(sampleTree(), 1700000000L, bytes)
        def out = tmp.resolve('x'); Files.createDirectories(out)

        when:
        def list = run(out, bytes.toByteArray(), 'cpio', '-t', '--quiet').readLines()
        run(out, bytes.toByteArray(), 'cpio', '-i', '--quiet', '--make-directories', '--preserve-modification-time', '--no-absolute-filenames')
        def verbose = run(out, bytes.toByteArray(), 'cpio', '-tv', '--quiet', '--numeric-uid-gid').readLines()

        then: 'sorted, parents first'
        list == ['bin', 'etc', 'etc/motd', 'home', 'home/user', 'home/user/file', 'usr', 'usr/bin', 'usr/bin/tool', 'var', 'var/empty']
        Files.readString(out.resolve('etc/motd')) == 'alpha\n'
        Files.readAllBytes(out.resolve('usr/bin/tool')) == Files.readAllBytes(tmp.resolve('b.bin'))
        Files.readSymbolicLink(out.resolve('bin')).toString() == 'usr/bin'
        Files.getLastModifiedTime(out.resolve('etc/motd')).toMillis() == 1700000000000L
        Files.getAttribute(out.resolve('home/user/file'), 'unix:uid') == 1000
        verbose.find { it.endsWith(' usr/bin/tool') }.startsWith('-rwxr-xr-x')
        verbose.find { it.endsWith(' var/empty') }.startsWith('drwx------')
    }

    def "we read an archive the real cpio wrote"() {
        given:
        Repo.requireTool('cpio')
        def src = tmp.resolve('src')
        Files.createDirectories(src.resolve('d/e'))
        Files.writeString(src.resolve('d/e/f.txt'), 'from gnu cpio\n')
        Files.write(src.resolve('big'), new byte[70000])
        Files.createSymbolicLink(src.resolve('link'), Path.of('d/e/f.txt'))
        def names = run(src, null, 'sh', '-c', 'find . | sort').readLines()
        def archive = run(src, null, 'sh', '-c', 'find . | sort | cpio -o -H newc --quiet --reproducible | base64 -w0').decodeBase64()

        when:
        def tree = NewcCpio.read(new ByteArrayInputStream(archive), tmp.resolve('blobs'), 'gnu.cpio')

        then:
        tree.entries().keySet() as List == names.findAll { it != '.' }.collect { it.substring(2) }.sort()
        Files.readString(tree.get('d/e/f.txt').content()) == 'from gnu cpio\n'
        tree.get('big').size() == 70000
        tree.get('link').linkTarget() == 'd/e/f.txt'
        tree.get('d/e').type() == FsTree.Type.DIRECTORY
    }

    def "writing twice gives the same bytes, and the gzip header carries no name and no time"() {
        when:
        def one = new ByteArrayOutputStream()
        def two = new ByteArrayOutputStream()
        NewcCpio.writeGzip(sampleTree(), 0, 9, one, Progress.NONE)
        NewcCpio.writeGzip(sampleTree(), 0, 9, two, Progress.NONE)
        def gz = one.toByteArray()

        then:
        gz == two.toByteArray()
        gz[0] == (byte) 0x1f && gz[1] == (byte) 0x8b
        (gz[3] & 0x08) == 0                       // FNAME not set
        gz[4..7] == [0, 0, 0, 0] as List<Byte>    // MTIME 0

        when: 'gzip itself decompresses it to the plain archive'
        Repo.requireTool('gzip')
        def plain = new ByteArrayOutputStream()
        NewcCpio.write(sampleTree(), 0, plain)
        def p = new ProcessBuilder('gzip', '-dc').start()
        p.outputStream.withStream { it.write(gz) }
        def decompressed = p.inputStream.bytes

        then:
        p.waitFor() == 0
        decompressed == plain.toByteArray()
    }

    def "parallel gzip over many chunks: gzip -dc restores the input, and the bytes do not depend on the thread count"() {
        given:
        Repo.requireTool('gzip')
        def rnd = new Random(7)
        def input = new ByteArrayOutputStream()
        (0..<40).each { i ->
            input.write(("text block ${i} ".multiply(3000)).bytes)
            def noise = new byte[20000]; rnd.nextBytes(noise); input.write(noise)
        }
        def data = input.toByteArray()

        when:
        def outputs = [1, 2, 4].collect { threads ->
            def out = new ByteArrayOutputStream()
            new ParallelGzipOutputStream(out, 9, threads).withCloseable { gz -> gz.write(data, 0, 1000); gz.write(data, 1000, data.length - 1000) }
            out.toByteArray()
        }
        def p = new ProcessBuilder('gzip', '-dc').start()
        Thread.start { p.outputStream.withStream { it.write(outputs[0]) } }
        def restored = p.inputStream.bytes

        then:
        data.length > 3 * 128 * 1024
        p.waitFor() == 0
        restored == data
        outputs[1] == outputs[0]
        outputs[2] == outputs[0]
        outputs[0].length < data.length
    }
}
