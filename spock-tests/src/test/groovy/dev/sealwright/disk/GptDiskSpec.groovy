package dev.sealwright.disk

import dev.sealwright.disk.gpt.GptDisk
import dev.sealwright.disk.gpt.GptPartition
import dev.sealwright.base.RecipeException
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/** GPT both ways against sgdisk (gdisk package). */
class GptDiskSpec extends Specification {
    @TempDir
    Path dir

    static final UUID DISK = UUID.fromString('9d475ecd-8b3f-47f9-ab90-2785611feabb')

    static GptDisk cloudLayout(long bytes) {
        GptDisk.empty(bytes, DISK)
                .withPartition(new GptPartition(14, GptPartition.BIOS_BOOT, UUID.fromString('11111111-2222-4333-8444-555555555555'), 2048, 10239, 0, 'bios'))
                .withPartition(new GptPartition(15, GptPartition.EFI_SYSTEM, UUID.fromString('21111111-2222-4333-8444-555555555555'), 10240, 43007, 0, 'EFI System'))
                .withPartition(new GptPartition(1, GptPartition.LINUX_FILESYSTEM, UUID.fromString('31111111-2222-4333-8444-555555555555'), 43008, bytes.intdiv(512) - 34 as long, 1L << 60, 'cloudimg-rootfs'))
    }

    static void write(Path image, GptDisk gpt) {
        FileChannel.open(image, StandardOpenOption.WRITE, StandardOpenOption.READ).withCloseable { gpt.write(it) }
    }

    static GptDisk read(Path image) {
        FileChannel.open(image, StandardOpenOption.READ).withCloseable { GptDisk.read(it, image.toString()) }
    }

    static Map<String, String> sgdiskInfo(Path image, int n) {
        def out = Sh.ok(['sgdisk', '-i', "$n", image.toString()]).out
        out.readLines().findAll { it.contains(': ') }.collectEntries { l -> def i = l.indexOf(': '); [l.substring(0, i), l.substring(i + 2)] }
    }

    def "a GPT we write passes sgdisk -v and sgdisk reads back every partition"() {
        given:
        def image = Sh.sparseFile(dir.resolve('ours.img'), 64L << 20)
        def gpt = cloudLayout(64L << 20)

        when:
        write(image, gpt)
        def verify = Sh.run(['sgdisk', '-v', image.toString()])
        def print = Sh.ok(['sgdisk', '-p', image.toString()]).out

        then:
        verify.exit == 0
        verify.out.contains('No problems found')
        print.contains('Disk identifier (GUID): 9D475ECD-8B3F-47F9-AB90-2785611FEABB')
        print.contains('First usable sector is 34, last usable sector is 131038')
        gpt.partitions().every { p ->
            def info = sgdiskInfo(image, p.number())
            info['Partition unique GUID'] == p.uuid().toString().toUpperCase() &&
                    info['Partition GUID code'].startsWith(p.type().toString().toUpperCase()) &&
                    info['First sector'].startsWith("${p.firstLba()} ") &&
                    info['Last sector'].startsWith("${p.lastLba()} ") &&
                    info['Partition name'] == "'${p.name()}'".toString() &&
                    info['Attribute flags'] == String.format('%016X', p.attributes())
        }
    }

    def "a GPT sgdisk writes is read with the same partitions, and rootfs/esp are found as encrypt-cloud-image finds them"() {
        given:
        def image = Sh.sparseFile(dir.resolve('theirs.img'), 64L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '14:2048:+4M', '-t', '14:ef02', '-n', '15:0:+16M', '-t', '15:ef00', '-c', '15:UEFI',
               '-n', '1:0:0', '-t', '1:8300', '-c', '1:cloudimg-rootfs', image.toString()])

        when:
        def gpt = read(image)
        def disk = Sh.ok(['sgdisk', '-p', image.toString()]).out

        then:
        gpt.recoveryNote() == null
        disk.contains("Disk identifier (GUID): ${gpt.diskGuid().toString().toUpperCase()}")
        gpt.partitions()*.number() == [1, 14, 15]
        gpt.partitions().every { p ->
            def info = sgdiskInfo(image, p.number())
            info['Partition unique GUID'] == p.uuid().toString().toUpperCase() &&
                    info['First sector'].startsWith("${p.firstLba()} ") &&
                    info['Last sector'].startsWith("${p.lastLba()} ") &&
                    info['Partition name'] == "'${p.name()}'".toString()
        }
        gpt.find('rootfs').get().number() == 1
        gpt.find('esp').get().number() == 15
        gpt.find('UEFI').get().number() == 15
        gpt.find(gpt.partitions()[1].uuid().toString()).get().number() == 14
        !gpt.find('nothing').isPresent()
    }

    def "a damaged primary GPT is read from the backup; both damaged is an error naming the file"() {
        given:
        def image = Sh.sparseFile(dir.resolve('dmg.img'), 64L << 20)
        write(image, cloudLayout(64L << 20))
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { it.seek(512 + 40); it.write(0x7f) }

        expect:
        Sh.run(['sgdisk', '-v', image.toString()]).out.contains('invalid')  // sgdisk notices too
        read(image).recoveryNote().contains('primary GPT invalid (header CRC32 mismatch at LBA 1)')
        read(image).partitions().size() == 3

        when:
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { it.seek((64L << 20) - 512 + 40); it.write(0x7f) }
        read(image)

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("${image}: invalid GPT: primary: header CRC32 mismatch")
    }

    def "a table moved to a grown disk stays valid for sgdisk"() {
        given:
        def image = Sh.sparseFile(dir.resolve('grow.img'), 64L << 20)
        write(image, cloudLayout(64L << 20))
        Sh.sparseFile(image, 96L << 20)

        when:
        def grown = read(image).resized(96L << 20)
        write(image, grown)

        then:
        Sh.run(['sgdisk', '-v', image.toString()]).out.contains('No problems found')
        grown.lastUsable() == (96L << 20) / 512 - 34
    }

    def "the same table writes the same bytes"() {
        given:
        def a = Sh.sparseFile(dir.resolve('a.img'), 64L << 20)
        def b = Sh.sparseFile(dir.resolve('b.img'), 64L << 20)

        when:
        write(a, cloudLayout(64L << 20))
        write(b, cloudLayout(64L << 20))

        then:
        Sh.sha256(a) == Sh.sha256(b)
    }

    def "an MBR-only disk and overlapping partitions are rejected"() {
        given:
        def image = Sh.sparseFile(dir.resolve('mbr.img'), 1L << 20)
        new RandomAccessFile(image.toFile(), 'rw').withCloseable { it.seek(510); it.write([0x55, 0xAA] as byte[]) }

        when:
        read(image)
        then:
        def e = thrown(RecipeException)
        e.message == "${image}: the MBR has no protective 0xEE partition (MBR-partitioned, not GPT)".toString()

        when:
        cloudLayout(64L << 20).withPartition(new GptPartition(2, GptPartition.LINUX_FILESYSTEM, UUID.randomUUID(), 5000, 6000, 0, 'x'))
        then:
        def e2 = thrown(IllegalArgumentException)
        e2.message.contains('overlap')
    }
}
