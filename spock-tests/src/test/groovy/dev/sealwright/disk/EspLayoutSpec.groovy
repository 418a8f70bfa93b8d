package dev.sealwright.disk

import dev.sealwright.disk.gpt.EspLayout
import dev.sealwright.measure.event.UefiGptData
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/**
 * The launch ESP's partition table is computed in Java (disk.gpt.EspLayout), so a prediction needs no
 * sgdisk. sgdisk is the oracle: given the same geometry and GUIDs, it must write the same bytes.
 */
class EspLayoutSpec extends Specification {
    @TempDir Path dir

    def "the Java table of a #ukiSize-byte UKI's ESP is byte-identical to sgdisk's, and so is its UEFI_GPT_DATA"() {
        given:
        Repo.requireTool('sgdisk')
        def l = EspLayout.of(ukiSize, 'x.efi')
        def ours = sparse('ours.img', l.totalSectors())
        def theirs = sparse('sgdisk.img', l.totalSectors())

        when:
        FileChannel.open(ours, StandardOpenOption.WRITE, StandardOpenOption.READ).withCloseable { l.table().write(it) }
        def p = new ProcessBuilder('sgdisk', '-U', EspLayout.DISK_GUID.toString().toUpperCase(), '-n', "1:${EspLayout.FIRST_SECTOR}:${l.lastSector()}".toString(),
                '-t', '1:ef00', '-u', "1:${EspLayout.PART_GUID.toString().toUpperCase()}".toString(), '-c', '1:ESP', theirs.toString()).redirectErrorStream(true).start()
        def out = p.inputStream.text

        then:
        p.waitFor() == 0
        tableAreas(ours, l.totalSectors()) == tableAreas(theirs, l.totalSectors())
        UefiGptData.ofLaunchEsp(ukiSize, 'x.efi') == UefiGptData.read(theirs)
        UefiGptData.partitions(UefiGptData.ofLaunchEsp(ukiSize, 'x.efi')) == 1

        where:
        ukiSize << [0L, 3 * 1024 * 1024 + 17, 60_000_000L, 300_000_000L]
    }

    /**
     * What a table writes: the protective MBR (LBA 0), primary header and entries (LBA 1-33), backup entries and
     * header (the last 33 LBAs). One known difference is masked: the MBR entry's ending CHS (bytes 451-453),
     * which GptDisk sets to 0xFFFFFF ("not representable") and sgdisk computes; firmware does not measure it.
     */
    private static List<Byte> tableAreas(Path f, long sectors) {
        FileChannel.open(f).withCloseable { ch ->
            def head = ByteBuffer.allocate(34 * 512)
            def tail = ByteBuffer.allocate(33 * 512)
            ch.read(head, 0)
            ch.read(tail, (sectors - 33) * 512)
            (451..453).each { head.put(it, (byte) 0) }
            head.array().toList() + tail.array().toList()
        }
    }

    private Path sparse(String name, long sectors) {
        def f = dir.resolve(name)
        new RandomAccessFile(f.toFile(), 'rw').withCloseable { it.setLength(sectors * 512) }
        f
    }
}
