package dev.sealwright.measure.tdx

import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.uki.StubMeasurements
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import dev.sealwright.vm.EspImage
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * measure tdx --uki: a UKI that OVMF's boot manager loads from the ESP of a GPT disk (the way
 * sealwright launch --uki boots it). RTMR1 gets ReadyToBoot's action and separator, the disk's GPT and
 * the unpatched UKI; RTMR0's boot variables depend on the VM's devices: without a modelled TD device
 * list (the default profile qemu-10) they are reported missing (TdxEspBootLogSpec checks them for
 * ubuntu-24.04 against a real boot). The event order against a real boot is checked in VtpmBootSpec;
 * here: the GPT bytes against sgdisk's own view of the disk, the derived disk against the one launch
 * writes, and the refusals.
 */
class TdxEspBootSpec extends Specification {
    static final String OVMF = '/usr/share/ovmf/OVMF.fd'
    @Shared @TempDir Path dir
    @Shared Path uki

    def setupSpec() {
        ['ovmf-combined', 'systemd-stub', 'sgdisk', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        def kernel = Kernels.debian().vmlinuz()
        uki = dir.resolve('uki.efi')
        Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')),
                Files.readAllBytes(kernel), 'initrd bytes'.bytes, 'console=ttyS0', 'test', 'ID=test\n'), 'stub'))
    }

    private Map measure(String... extra) {
        def r = Cli.run((['measure', 'tdx', '--firmware', OVMF, '--uki', uki.toString(), '--memory', '2G', '--json'] + (extra as List)) as String[])
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    private static String sha384(byte[] b) {
        HexFormat.of().formatHex(MessageDigest.getInstance('SHA-384').digest(b))
    }

    def "RTMR1 is ReadyToBoot's action and separator, the GPT, the UKI as on disk, the inner kernel, ExitBootServices; RTMR2 the kernel's LoadOptions and initrd"() {
        when:
        def doc = measure()
        def rtmr1 = doc.events.findAll { it.index == 2 }
        def pe = PeFile.read(Files.readAllBytes(uki), 'uki')

        then:
        rtmr1*.type == ['EV_EFI_ACTION', 'EV_SEPARATOR', 'EV_EFI_GPT_EVENT', 'EV_EFI_BOOT_SERVICES_APPLICATION', 'EV_EFI_BOOT_SERVICES_APPLICATION',
                        'EV_EFI_ACTION', 'EV_EFI_ACTION']
        rtmr1[0].digests.sha384 == sha384('Calling EFI Application from Boot Option'.bytes)
        rtmr1[3].digests.sha384 == HexFormat.of().formatHex(PeFile.authenticodeDigest(Files.readAllBytes(uki), 'SHA-384', 'uki'))
        rtmr1[4].digests.sha384 == HexFormat.of().formatHex(PeFile.authenticodeDigest(StubMeasurements.innerKernel(pe, 'uki'), 'SHA-384', 'linux'))
        doc.events.findAll { it.index == 3 }*.digests*.sha384 == [sha384('console=ttyS0\0'.getBytes('UTF-16LE')), sha384('initrd bytes'.bytes)]
        doc.rtmr1 ==~ /[0-9a-f]{96}/ && doc.rtmr2 ==~ /[0-9a-f]{96}/
        doc.rtmr0 == null
        doc.missing.rtmr0.any { it.contains('the boot variables (BootOrder, Boot####) depend on where the ESP disk sits: profile qemu-10 has no modelled TD device list') }
        !doc.missing.containsKey('rtmr1') && !doc.missing.containsKey('rtmr2')
    }

    def "the GPT event carries the disk's primary header and its one used entry, as sgdisk reads them; the disk launch writes gives the same event"() {
        given: 'the whole ESP disk as launch writes it'
        def disk = dir.resolve('esp.img')
        EspImage.write(new Tools(), uki, disk)

        when:
        def derived = measure()
        def fromDisk = measure('--boot-disk', disk.toString())
        def gpt = derived.events.find { it.type == 'EV_EFI_GPT_EVENT' }
        def data = ByteBuffer.wrap(HexFormat.of().parseHex(gpt.data as String)).order(ByteOrder.LITTLE_ENDIAN)
        def sg = ['sgdisk', '-p', '-i', '1', disk.toString()].execute()
        def sgOut = sg.text

        then: 'header signature, its disk GUID and the partition unique GUID as sgdisk prints them'
        sg.waitFor() == 0
        new String(HexFormat.of().parseHex(gpt.data as String), 0, 8, 'US-ASCII') == 'EFI PART'
        data.getLong(92) == 1
        sgOut.contains('Disk identifier (GUID): ' + guid(data, 56))
        sgOut.contains('Partition unique GUID: ' + guid(data, 100 + 16))
        sgOut.contains('Partition GUID code: C12A7328-F81F-11D2-BA4B-00A0C93EC93B')
        gpt.digests.sha384 == sha384(HexFormat.of().parseHex(gpt.data as String))

        and: 'the derived partition table is the one of the written disk: same registers'
        fromDisk.events.find { it.type == 'EV_EFI_GPT_EVENT' }.digests == gpt.digests
        fromDisk.rtmr1 == derived.rtmr1
    }

    def "another boot disk changes RTMR1 and nothing else"() {
        given:
        def other = dir.resolve('other.img')
        new RandomAccessFile(other.toFile(), 'rw').withCloseable { it.setLength(64L << 20) }
        assert ['sgdisk', '-n', '1:2048:+32M', '-t', '1:ef00', other.toString()].execute().waitFor() == 0

        when:
        def a = measure()
        def b = measure('--boot-disk', other.toString())

        then:
        a.rtmr1 != b.rtmr1
        a.rtmr2 == b.rtmr2 && a.mrtd == b.mrtd
    }

    def "refusals: --boot-disk without --uki, a disk without a GPT, a --uki that is no UKI"() {
        expect:
        def r = Cli.run(args as String[])
        r.exitCode == 1
        r.err.contains(message)

        where:
        args                                                                                           | message
        ['measure', 'tdx', '--firmware', OVMF, '--boot-disk', OVMF]                                    | 'a boot disk goes with a uki'
        ['measure', 'tdx', '--firmware', OVMF, '--kernel', Kernels.debian().vmlinuz().toString(), '--boot-disk', OVMF] | 'a boot disk goes with a UKI booted from an ESP'
        ['measure', 'tdx', '--firmware', OVMF, '--uki', uki.toString(), '--boot-disk', OVMF]           | OVMF + ': '
        ['measure', 'tdx', '--firmware', OVMF, '--uki', '/usr/lib/systemd/boot/efi/linuxx64.efi.stub'] | 'not a UKI (no .linux section)'
    }

    def "profile ubuntu-24.04: the ESP is the TD's first virtio disk, so --disks counts the data disks behind it; a firmware whose boot manager is not modelled leaves only the boot variables missing, in one line"() {
        given:
        Path changed = dir.resolve('OVMF-changed.fd')
        byte[] b = Files.readAllBytes(Path.of(OVMF))
        b[0x10000] ^= 1   // inside the variable store's free space: still a TDVF image
        Files.write(changed, b)

        when:
        def known = measure('--profile', 'ubuntu-24.04', '--disks', '0', '--cpus', '2')
        def unknown = Cli.run('measure', 'tdx', '--firmware', changed.toString(), '--uki', uki.toString(), '--memory', '2G', '--cpus', '2',
                '--profile', 'ubuntu-24.04', '--json')
        def doc = new JsonSlurper().parseText(unknown.out) as Map
        def nine = Cli.run('measure', 'tdx', '--firmware', OVMF, '--uki', uki.toString(), '--profile', 'ubuntu-24.04', '--disks', '8')

        then:
        known.missing.isEmpty() && known.rtmr0 ==~ /[0-9a-f]{96}/
        known.vm.topology.devices.findAll { it.kind == 'VIRTIO_BLK' }.size() == 1
        unknown.exitCode == 0
        doc.missing.keySet() == ['rtmr0'] as Set
        doc.missing.rtmr0 == ["${changed}: not a known OVMF build (known: Debian ovmf 2022.11-6+deb12u2 and 2025.02-8+deb13u1 images); its event layout is unverified".toString()]
        doc.events.findAll { it.index == 1 }*.type.count('EV_EFI_VARIABLE_BOOT') == 0
        nine.exitCode == 2
        nine.err.contains('--disks 8 and the ESP disk of --uki make 9 virtio disks')
    }

    /** A mixed-endian GUID at {@code offset}, in sgdisk's upper-case form. */
    private static String guid(ByteBuffer b, int offset) {
        def hex = { int off, int len -> (0..<len).collect { String.format('%02X', b.get(off + it)) }.join('') }
        String.format('%08X-%04X-%04X-', b.getInt(offset), b.getShort(offset + 4) & 0xFFFF, b.getShort(offset + 6) & 0xFFFF) +
                hex(offset + 8, 2) + '-' + hex(offset + 10, 6)
    }
}
