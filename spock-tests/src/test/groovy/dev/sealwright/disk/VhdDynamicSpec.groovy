package dev.sealwright.disk

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.disk.vhd.VhdDynamic
import dev.sealwright.base.RecipeException
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/** Dynamic VHDs against qemu-img (qemu-utils), both directions. */
class VhdDynamicSpec extends Specification {
    static final ObjectMapper JSON = new ObjectMapper()
    static final int MIB2 = 2 << 20
    @TempDir
    Path dir

    /** 9 MiB + 7 sectors: random data, except the 2 MiB block at 4 MiB (all zeros) and a few zero sectors in block 0. */
    Path rawDisk(String name = 'disk.raw') {
        byte[] b = new byte[(9 << 20) + 7 * 512]
        new Random(3).nextBytes(b)
        Arrays.fill(b, 4 << 20, 6 << 20, (byte) 0)
        Arrays.fill(b, 4096, 8192, (byte) 0)
        def p = dir.resolve(name)
        Files.write(p, b)
        p
    }

    static <T> T withVhd(Path p, Closure<T> c) {
        FileChannel.open(p, StandardOpenOption.READ).withCloseable { ch -> c(VhdDynamic.open(ch, p.toString())) }
    }

    static byte[] readAll(Path vhd) {
        withVhd(vhd) { VhdDynamic v -> byte[] b = new byte[(int) v.size()]; v.read(0, b, 0, b.length); b }
    }

    static Path writeOurs(Path raw, Path out) {
        FileChannel.open(raw, StandardOpenOption.READ).withCloseable { src ->
            FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).withCloseable { dst ->
                VhdDynamic.write(src, src.size(), dst, 1700000000L, UUID.fromString('0d4c2f3e-6f0a-4c8e-9d1e-3b2a1c0f9e8d'))
            }
        }
        out
    }

    static Map qemuInfo(Path p) { JSON.readValue(Sh.ok(['qemu-img', 'info', '--output=json', '-f', 'vpc', p.toString()]).out, Map) }

    /** 2 MiB blocks qemu-img map reports as data. */
    static Set<Long> qemuDataBlocks(Path p) {
        def map = JSON.readValue(Sh.ok(['qemu-img', 'map', '--output=json', '-f', 'vpc', p.toString()]).out, List)
        def blocks = [] as Set<Long>
        map.findAll { it.data }.each { e -> for (long o = e.start; o < e.start + e.length; o += 512) blocks << o.intdiv(MIB2) }
        blocks
    }

    def "a dynamic VHD qemu-img convert writes (force_size #force) reads back as the raw disk"() {
        given:
        def raw = rawDisk()
        def vhd = dir.resolve('q.vhd')
        Sh.ok(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', "subformat=dynamic,force_size=${force ? 'on' : 'off'}", raw.toString(), vhd.toString()])
        byte[] expected = Files.readAllBytes(raw)

        when:
        byte[] ours = readAll(vhd)
        def sizes = withVhd(vhd) { VhdDynamic v -> [v.size(), v.blockSize(), v.allocatedBlocks()] }

        then: 'qemu rounds the size up to a CHS geometry unless force_size: the extra sectors read as zeros'
        sizes[0] == qemuInfo(vhd).'virtual-size'
        sizes[1] == MIB2
        sizes[2] == qemuDataBlocks(vhd).size()
        Arrays.copyOf(ours, expected.length) == expected
        ours.length == expected.length || Arrays.copyOfRange(ours, expected.length, ours.length) == new byte[ours.length - expected.length]
        sizes[2] < Math.ceil(expected.length / MIB2)  // the zero block is a hole in qemu's file too

        where:
        force << [true, false]
    }

    def "our dynamic VHD is what qemu-img reads as the raw disk: same size and bytes, only the non-zero blocks allocated, reproducible"() {
        given:
        def raw = rawDisk()
        byte[] rawBytes = Files.readAllBytes(raw)
        def nonZero = (0..<(int) Math.ceil(rawBytes.length / MIB2)).findAll { int b ->
            Arrays.mismatch(rawBytes, b * MIB2, Math.min(rawBytes.length, (b + 1) * MIB2), new byte[MIB2], 0, Math.min(rawBytes.length, (b + 1) * MIB2) - b * MIB2) >= 0
        } as Set<Long>

        when:
        def ours = writeOurs(raw, dir.resolve('ours.vhd'))
        def again = writeOurs(raw, dir.resolve('again.vhd'))
        def back = dir.resolve('back.raw')
        Sh.ok(['qemu-img', 'convert', '-f', 'vpc', '-O', 'raw', ours.toString(), back.toString()])

        then:
        qemuInfo(ours).'virtual-size' == rawBytes.length
        Sh.run(['qemu-img', 'compare', '-f', 'raw', '-F', 'vpc', raw.toString(), ours.toString()]).exit == 0
        Sh.sha256(back) == Sh.sha256(raw)
        qemuDataBlocks(ours) == nonZero.collect { it as long } as Set
        Files.size(ours) == 512 + 1024 + 512 + nonZero.size() * (512 + MIB2) + 512
        Sh.sha256(again) == Sh.sha256(ours)
        readAll(ours) == rawBytes
    }

    def "qemu-io writes into our dynamic VHD (allocating a block) and we read what it wrote"() {
        given:
        def raw = rawDisk()
        byte[] expected = Files.readAllBytes(raw)
        def ours = writeOurs(raw, dir.resolve('ours.vhd'))

        when: 'one write fills part of the hole at 4 MiB, one overwrites allocated block 0'
        Sh.ok(['qemu-io', '-f', 'vpc', '-c', 'write -P 0x5a 4259840 65536', '-c', 'write -P 0xa5 1049088 4096', ours.toString()])
        Arrays.fill(expected, 4259840, 4259840 + 65536, (byte) 0x5a)
        Arrays.fill(expected, 1049088, 1049088 + 4096, (byte) 0xa5)

        then:
        readAll(ours) == expected
        withVhd(ours) { VhdDynamic v -> v.allocatedBlocks() } == 5
    }

    def "damaged dynamic VHDs: a bad header checksum or a block outside the file is one line; a bad end footer falls back to the copy at 0"() {
        given:
        def raw = rawDisk()
        def ours = writeOurs(raw, dir.resolve('ours.vhd'))
        def flip = { Path src, String name, long at ->
            def p = dir.resolve(name)
            Files.copy(src, p)
            new RandomAccessFile(p.toFile(), 'rw').withCloseable { it.seek(at); it.write(0x40 ^ it.read()) }
            p
        }
        def badHeader = flip(ours, 'header.vhd', 512 + 100)
        def badFooter = flip(ours, 'footer.vhd', Files.size(ours) - 512 + 50)
        def badBlock = flip(ours, 'block.vhd', 1536)  // the top byte of block 0's sector offset

        when:
        readAll(badHeader)
        then:
        def e1 = thrown(RecipeException)
        e1.message == "${badHeader}: VHD dynamic header checksum mismatch".toString()

        when:
        readAll(badBlock)
        then:
        def e2 = thrown(RecipeException)
        e2.message ==~ /.*block\.vhd: VHD block 0 at offset \d+ lies outside the data area/

        expect:
        readAll(badFooter) == Files.readAllBytes(raw)
    }

    def "disk encrypt keeps a dynamic VHD dynamic: qemu-img reads it, sgdisk and cryptsetup accept the result"() {
        given:
        def raw = Sh.sparseFile(dir.resolve('disk.raw'), 48L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '15:2048:+8M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', raw.toString()])
        new RandomAccessFile(raw.toFile(), 'rw').withCloseable { raf -> byte[] b = new byte[1 << 20]; new Random(4).nextBytes(b); raf.seek(20L << 20); raf.write(b) }
        def vhd = dir.resolve('disk.vhd')
        Sh.ok(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=dynamic,force_size=on', raw.toString(), vhd.toString()])
        def key = dir.resolve('k')
        Files.write(key, 'dynamic passphrase'.bytes)
        def out = dir.resolve('out.vhd')

        when:
        def run = dev.sealwright.testkit.Cli.run('disk', 'encrypt', vhd.toString(), '-o', out.toString(), '--key-file', key.toString())
        def info = qemuInfo(out)
        def outRaw = dir.resolve('out.raw')
        Sh.ok(['qemu-img', 'convert', '-f', 'vpc', '-O', 'raw', out.toString(), outRaw.toString()])
        def part = Sh.ok(['sgdisk', '-i', '1', outRaw.toString()]).out
        long first = (part =~ /First sector: (\d+)/)[0][1] as long
        long last = (part =~ /Last sector: (\d+)/)[0][1] as long
        def luks = dir.resolve('part.img')
        new RandomAccessFile(outRaw.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[(int) ((last - first + 1) * 512)]; raf.seek(first * 512); raf.readFully(b); Files.write(luks, b)
        }

        then:
        run.exitCode == 0
        Sh.ok(['qemu-img', 'info', out.toString()]).out.contains('file format: vpc')  // probed, not forced
        info.'virtual-size' == (48L << 20) + (16L << 20)
        Sh.ok(['sgdisk', '-v', outRaw.toString()]).out.contains('No problems found')
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', key.toString(), luks.toString()]).exit == 0
    }
}
