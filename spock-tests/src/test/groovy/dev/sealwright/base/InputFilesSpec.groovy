package dev.sealwright.base

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** InputFiles.read: the stat size is only a hint; the bytes read are the file's, bounded. */
class InputFilesSpec extends Specification {
    @TempDir Path dir

    def "a file of #size bytes reads back as sha256sum sees it"() {
        given:
        def f = dir.resolve("f$size")
        def b = new byte[size]; new Random(size).nextBytes(b)
        Files.write(f, b)

        expect:
        InputFiles.read(f, new InputFiles.Bound('a test file', 4 << 20)).sha256() == ['sha256sum', f.toString()].execute().text.split(' ')[0]

        where:
        size << [0, 1, 4095, (1 << 20), (1 << 20) + 1, (3 << 20) + 17, 4 << 20]
    }

    def "a mapping of a file of #size bytes holds what sha256sum sees; a /proc file (stat size 0) maps to what cat sees"() {
        given:
        def f = dir.resolve("m$size")
        def b = new byte[size]; new Random(size).nextBytes(b)
        Files.write(f, b)
        def bound = new InputFiles.Bound('a test file', 4 << 20)

        when:
        def m = InputFiles.map(f, bound)
        def copy = new byte[m.capacity()]; m.get(0, copy)

        then:
        copy.sha256() == ['sha256sum', f.toString()].execute().text.split(' ')[0]
        new String(ba(InputFiles.map(Path.of('/proc/version'), bound))) == ['cat', '/proc/version'].execute().text

        where:
        size << [0, 1, 4095, (3 << 20) + 17]
    }

    def "a mapped file cut after it was mapped is refused by name once read, though the JVM may throw for the lost pages only later"() {
        given:
        def f = dir.resolve('cut.bin')
        Files.write(f, new byte[1 << 20])
        def m = InputFiles.map(f, new InputFiles.Bound('a test file', 4 << 20))
        InputFiles.requireIntact(f, m)   // whole: passes
        new RandomAccessFile(f.toFile(), 'rw').withCloseable { it.setLength(4096) }

        when:   // no read of the lost pages here: in compiled code the JVM throws for them at some later call, maybe in another test
        InputFiles.requireIntact(f, m)

        then:
        def e = thrown(RecipeException)
        e.message == "$f: the file was truncated while it was read"
        InputFiles.changedWhileMapped(f.toString(), new InternalError('a fault occurred in a recent unsafe memory access operation in compiled Java code'))
                .message == e.message
        InputFiles.requireIntact(f, java.nio.ByteBuffer.wrap(new byte[1 << 20])) == null   // a heap copy is not a mapping
        // the JVM's two wordings (interpreted, compiled) are both told apart from other internal errors
        InputFiles.isMappedReadFault(new InternalError('a fault occurred in an unsafe memory access operation'))
        InputFiles.isMappedReadFault(new InternalError('a fault occurred in a recent unsafe memory access operation in compiled Java code'))
        !InputFiles.isMappedReadFault(new InternalError('something else'))
    }

    private static byte[] ba(java.nio.ByteBuffer b) {
        def out = new byte[b.remaining()]; b.duplicate().get(out); out
    }

    def "a /proc file, which stat reports as empty, reads back as cat sees it"() {
        expect:
        Files.size(Path.of('/proc/version')) == 0
        new String(InputFiles.read(Path.of('/proc/version'), new InputFiles.Bound('a test file', 1 << 20))) == ['cat', '/proc/version'].execute().text
    }

    def "a /proc file longer than the bound is refused by name, though stat reports it as empty"() {
        when:
        InputFiles.read(Path.of('/proc/self/maps'), new InputFiles.Bound('a map', 16))

        then:
        def e = thrown(RecipeException)
        e.message == '/proc/self/maps: is more than 16 bytes; a map is at most 16 bytes'
    }

    def "a file one byte over the bound is refused by name with its size"() {
        given:
        def f = dir.resolve('big')
        Files.write(f, new byte[4097])

        when:
        InputFiles.read(f, new InputFiles.Bound('a test file', 4096))

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("$f: is ")
        e.message.endsWith('; a test file is at most 4 KiB')
    }
}
