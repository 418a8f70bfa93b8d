package dev.sealwright.vm

import dev.sealwright.disk.gpt.EspLayout
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/** The ESP boot disk is read back by the real tools: sgdisk (GPT), fsck.fat (FAT), mtools (the file). OVMF booting it is in VmBootSpec. */
class EspImageSpec extends Specification {
    @TempDir Path dir

    def "the UKI lands as \\EFI\\BOOT\\BOOTX64.EFI on an EF00 partition that sgdisk, fsck.fat and mtools accept; same input, same bytes"() {
        given:
        ['sgdisk', 'mkfs.fat', 'mcopy', 'mmd'].each { Repo.requireTool(it) }
        def uki = dir.resolve('fake-uki.efi')
        def bytes = new byte[3 * 1024 * 1024 + 17]
        new Random(7).nextBytes(bytes)
        Files.write(uki, bytes)
        def tools = new Tools()

        when:
        EspImage.write(tools, uki, dir.resolve('a.img'))
        Thread.sleep(1100) // a later second must not change the bytes (timestamps are fixed)
        EspImage.write(tools, uki, dir.resolve('b.img'))

        then: 'reproducible, input untouched'
        sha(dir.resolve('a.img')) == sha(dir.resolve('b.img'))
        Files.readAllBytes(uki) == bytes

        when: 'sgdisk reads the GPT'
        def verify = run('sgdisk', '-v', dir.resolve('a.img').toString())
        def part = run('sgdisk', '-i', '1', dir.resolve('a.img').toString())

        then:
        verify.contains('No problems found')
        part.contains('Partition GUID code: C12A7328-F81F-11D2-BA4B-00A0C93EC93B (EFI system partition)')
        part.contains("Partition unique GUID: ${EspLayout.PART_GUID.toString().toUpperCase()}")
        part.contains('First sector: 2048 ')
        part.contains("Partition name: 'ESP'")

        when: 'fsck.fat checks the filesystem in the partition, mtools reads the file back'
        def fat = dir.resolve('esp.fat')
        long firstSector = 2048
        long lastSector = (part =~ /Last sector: (\d+)/)[0][1] as long
        Files.write(fat, Arrays.copyOfRange(Files.readAllBytes(dir.resolve('a.img')), (int) (firstSector * 512), (int) ((lastSector + 1) * 512)))
        def fsck = run('fsck.fat', '-n', fat.toString())
        def out = dir.resolve('back.efi')
        run('mcopy', '-i', "${dir.resolve('a.img')}@@${EspImage.espOffset()}".toString(), '::/EFI/BOOT/BOOTX64.EFI', out.toString())

        then:
        fsck.contains('ESP') || fsck.contains('files,')
        Files.readAllBytes(out) == bytes
    }

    private static String run(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def text = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')}: ${text}"
        text
    }

    private static String sha(Path p) {
        MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(p)).encodeHex().toString()
    }
}
