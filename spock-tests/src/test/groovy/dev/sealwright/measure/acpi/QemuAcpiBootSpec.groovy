package dev.sealwright.measure.acpi

import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.vm.MachineTopology
import dev.sealwright.vm.QemuCommandLine
import dev.sealwright.vm.QemuVersion
import dev.sealwright.vm.VmRunDir
import dev.sealwright.vm.VmSpec
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The QEMU 7.2 model against this machine's real QEMU 7.2: the TD topology of a {@link VmSpec}
 * (launch's own -global/-device arguments, machine pc-q35-7.2 with the topology's options and
 * smm=off) boots under TCG with Debian's OVMF.fd and the Debian cloud kernel; a busybox init loads
 * qemu_fw_cfg, reads the three blobs from /sys/firmware/qemu_fw_cfg and writes them to the first
 * virtio disk (no serial port: it would add COM1 to the DSDT). The builder must equal them byte
 * for byte. One boot per shape (about 25 s each under TCG).
 */
class QemuAcpiBootSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared Path initrd

    def setupSpec() {
        ['qemu-system-x86_64', 'busybox', 'cpio', 'xz', 'ovmf-combined'].each { Repo.requireTool(it) }
        def k = Kernels.debian()
        def root = Files.createDirectories(dir.resolve('initrd-root/bin'))
        Files.copy(Path.of('/usr/bin/busybox'), root.resolve('busybox'))
        def mods = Files.createDirectories(dir.resolve('initrd-root/m'))
        ['block/virtio_blk', 'firmware/qemu_fw_cfg'].each { m ->
            def src = k.modulesDir().resolve("kernel/drivers/${m}.ko.xz")
            def xz = new ProcessBuilder('xz', '-dc', src.toString()).redirectOutput(mods.resolve(m.tokenize('/')[1] + '.ko').toFile()).start()
            assert xz.waitFor() == 0: "xz -dc $src failed"
        }
        def init = dir.resolve('initrd-root/init')
        Files.writeString(init, '''#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox insmod /m/virtio_blk.ko
/bin/busybox insmod /m/qemu_fw_cfg.ko
/bin/busybox sleep 1
F=/sys/firmware/qemu_fw_cfg/by_name/etc
echo "$(/bin/busybox cat $F/table-loader/size) $(/bin/busybox cat $F/acpi/rsdp/size) $(/bin/busybox cat $F/acpi/tables/size)" > /out
/bin/busybox cat $F/table-loader/raw $F/acpi/rsdp/raw $F/acpi/tables/raw >> /out
/bin/busybox dd if=/out of=/dev/vda bs=4096 conv=fsync 2>/dev/null
/bin/busybox sync
/bin/busybox poweroff -f
''')
        init.toFile().setExecutable(true)
        def cpio = new ProcessBuilder('sh', '-c', 'find . | cpio -o -H newc --quiet > ../initrd.img').directory(dir.resolve('initrd-root').toFile()).start()
        assert cpio.waitFor() == 0
        initrd = dir.resolve('initrd.img')
    }

    /** Boots the shape; returns [table-loader, rsdp, tables] as QEMU served them. */
    List<byte[]> capture(int cpus, long mib, int disks) {
        def shape = dir.resolve("s-$cpus-$mib-$disks")
        Files.createDirectories(shape)
        def disksFiles = (0..<disks).collect { i -> def f = shape.resolve("d${i}.img"); Files.write(f, new byte[1 << 20]); f }
        def b = VmSpec.builder().firmware(Path.of('/usr/share/ovmf/OVMF.fd')).kernel(Kernels.debian().vmlinuz()).initrd(initrd)
                .cpus(cpus).memoryMiB(mib).tee('tdx').nics(1).topology(MachineTopology.ubuntu2404Td(disks))
        disksFiles.each { b.disk(it) }
        def spec = b.build()
        def argv = QemuCommandLine.build(spec, 'qemu-system-x86_64', QemuVersion.parse('8.2.2'), 'kvm', new VmRunDir(shape))
        def placed = []
        for (int i = 0; i < argv.size() - 1; i++)
            if (argv[i] in ['-global', '-device', '-drive', '-netdev', '-smp', '-m', '-kernel', '-initrd'])
                placed += [argv[i], argv[i + 1].replace(',snapshot=on', '')]   // the guest writes its dump to disk 0
        def cmd = ['qemu-system-x86_64', '-machine', spec.topology().machineArg('smm=off').replace('pc-q35-8.2', 'pc-q35-7.2'),
                   '-accel', 'tcg', '-nodefaults', '-display', 'none', '-no-reboot', '-bios', '/usr/share/ovmf/OVMF.fd',
                   '-append', 'panic=-1 quiet'] + placed
        def log = shape.resolve('qemu.log')
        def qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start()
        if (!qemu.waitFor(300, TimeUnit.SECONDS)) {
            qemu.destroyForcibly()
            throw new IllegalStateException("the guest did not power off within 300 s: ${Files.readString(log)}")
        }
        byte[] out = Files.readAllBytes(disksFiles[0])
        Integer nl = (0..<out.length).find { out[it] == (byte) 10 }
        assert nl != null: "the guest wrote no fw_cfg dump (exit ${qemu.exitValue()}): ${Files.readString(log)}"
        def sizes = new String(out, 0, nl).tokenize(' ')*.toInteger()
        assert sizes.size() == 3: "the guest wrote no fw_cfg dump: ${Files.readString(log)}"
        int at = nl + 1
        sizes.collect { int n -> def part = Arrays.copyOfRange(out, at, at + n); at += n; part }
    }

    def "QEMU 7.2's etc/table-loader, etc/acpi/rsdp and etc/acpi/tables equal the 7.2 model: #cpus vCPU, #mib MiB, #disks disks"() {
        when:
        def real = capture(cpus, mib, disks)
        def built = AcpiBuild.build(new AcpiMachine(cpus, (mib as long) << 20, disks), QemuAcpiModel.QEMU_7_2_TCG)

        then:
        real[0] == built.tableLoader()
        real[1] == built.rsdp()
        real[2] == built.tables()

        where: 'both sides of the 2816 MiB split (and exactly on it), 1..8 disks (root ports at 00:02.x and 00:03.0), 1..16 vCPUs'
        cpus | mib  | disks
        1    | 512  | 1
        4    | 4096 | 3
        16   | 2816 | 2
        8    | 3072 | 8
    }
}
