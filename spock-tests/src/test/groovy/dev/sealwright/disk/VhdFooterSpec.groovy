package dev.sealwright.disk

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.disk.vhd.VhdFooter
import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/** Fixed VHD footers against qemu-img (qemu-utils). */
class VhdFooterSpec extends Specification {
    @TempDir
    Path dir
    static final ObjectMapper JSON = new ObjectMapper()

    static VhdFooter read(Path p) {
        FileChannel.open(p, StandardOpenOption.READ).withCloseable { VhdFooter.readIfPresent(it, p.toString()) }
    }

    static long qemuVirtualSize(Path p, String format) {
        JSON.readTree(Sh.ok(['qemu-img', 'info', '--output=json', '-f', format, p.toString()]).out).get('virtual-size').asLong()
    }

    def "fixed VHDs qemu-img creates (force_size #force) are read with qemu's virtual size"() {
        given:
        def vhd = dir.resolve('q.vhd')
        Sh.ok(['qemu-img', 'create', '-f', 'vpc', '-o', "subformat=fixed,force_size=${force ? 'on' : 'off'}", vhd.toString(), '50M'])

        when:
        def footer = read(vhd)

        then:
        footer.diskType() == VhdFooter.FIXED
        footer.currentSize() == qemuVirtualSize(vhd, 'vpc')
        footer.currentSize() == Files.size(vhd) - 512

        where:
        force << [true, false]
    }

    def "a raw disk with our footer is a fixed VHD to qemu-img, with identical contents"() {
        given:
        def raw = dir.resolve('disk.raw')
        byte[] b = new byte[8 << 20]
        new Random(1).nextBytes(b)
        Files.write(raw, b)
        def vhd = dir.resolve('disk.vhd')
        Files.copy(raw, vhd)
        Files.write(vhd, VhdFooter.fixed(8 << 20, 1700000000L, UUID.fromString('6b2c1f57-3c3c-4f56-9f59-2d3b0a4a8f10')).encode(), StandardOpenOption.APPEND)

        expect: 'qemu only probes the start of a file, so a fixed VHD is opened with -f vpc, as encrypt-cloud-image does'
        qemuVirtualSize(vhd, 'vpc') == 8 << 20
        Sh.run(['qemu-img', 'compare', '-f', 'raw', '-F', 'vpc', raw.toString(), vhd.toString()]).exit == 0
        read(vhd).uniqueId().toString() == '6b2c1f57-3c3c-4f56-9f59-2d3b0a4a8f10'
        read(vhd).timestamp() == 1700000000L
    }

    def "a corrupt footer and a dynamic VHD are one-line errors; a raw file has no footer"() {
        given:
        def vhd = dir.resolve('q.vhd')
        Sh.ok(['qemu-img', 'create', '-f', 'vpc', '-o', 'subformat=fixed', vhd.toString(), '4M'])
        new RandomAccessFile(vhd.toFile(), 'rw').withCloseable { it.seek(Files.size(vhd) - 512 + 100); it.write(1) }
        def dynamic = dir.resolve('d.vhd')
        Sh.ok(['qemu-img', 'create', '-f', 'vpc', dynamic.toString(), '4M'])

        when:
        read(vhd)
        then:
        def e = thrown(RecipeException)
        e.message == "${vhd}: VHD footer checksum mismatch".toString()

        when:
        read(dynamic)
        then:
        def e2 = thrown(RecipeException)
        e2.message.startsWith("${dynamic}: not implemented in this build: dynamic VHD")

        expect:
        read(Sh.sparseFile(dir.resolve('raw'), 1 << 20)) == null
    }

    def "disk encrypt keeps a fixed VHD a fixed VHD that qemu-img reads, with the rootfs opened by cryptsetup"() {
        given:
        def raw = Sh.sparseFile(dir.resolve('disk.raw'), 48L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '15:2048:+8M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', raw.toString()])
        def vhd = dir.resolve('disk.vhd')
        Sh.ok(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw.toString(), vhd.toString()])
        def key = dir.resolve('k')
        Files.write(key, 'vhd passphrase'.bytes)

        when:
        def run = Cli.run('disk', 'encrypt', vhd.toString(), '-o', dir.resolve('out.vhd').toString(), '--key-file', key.toString())
        def outRaw = dir.resolve('out.raw')
        Sh.ok(['qemu-img', 'convert', '-f', 'vpc', '-O', 'raw', dir.resolve('out.vhd').toString(), outRaw.toString()])
        def info = Sh.ok(['sgdisk', '-i', '1', outRaw.toString()]).out
        long first = (info =~ /First sector: (\d+)/)[0][1] as long
        long last = (info =~ /Last sector: (\d+)/)[0][1] as long
        def part = dir.resolve('part.img')
        new RandomAccessFile(outRaw.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[(int) ((last - first + 1) * 512)]; raf.seek(first * 512); raf.readFully(b); Files.write(part, b)
        }

        then:
        run.exitCode == 0
        qemuVirtualSize(dir.resolve('out.vhd'), 'vpc') == (48L << 20) + (16L << 20)  // the last partition grew by the 16 MiB LUKS2 data offset
        Sh.ok(['sgdisk', '-v', outRaw.toString()]).out.contains('No problems found')
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', key.toString(), part.toString()]).exit == 0
    }
}
