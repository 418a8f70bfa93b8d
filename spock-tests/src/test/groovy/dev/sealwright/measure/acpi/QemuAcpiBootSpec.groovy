package dev.sealwright.measure.acpi

import dev.sealwright.image.kernel.DebianKernel
import dev.sealwright.measure.capture.FwCfgCapture
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path
import java.time.Duration

/**
 * The QEMU 7.2 model against this machine's real QEMU 7.2: the TD topology of a VmSpec (launch's
 * own -global/-device arguments, machine pc-q35-7.2 with the topology's options and smm=off) boots
 * under TCG with Debian's OVMF.fd and the Debian cloud kernel, with the capture initramfs of
 * measure capture ({@link FwCfgCapture}): it loads qemu_fw_cfg, reads the three blobs from
 * /sys/firmware/qemu_fw_cfg and sends them over the shape's virtio-net to a QEMU guestfwd sink (no
 * serial port: it would add COM1 to the DSDT). The builder must equal them byte for byte. One boot
 * per shape (about 25 s each under TCG).
 */
class QemuAcpiBootSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared DebianKernel.Unpacked kernel

    def setupSpec() {
        ['qemu-system-x86_64', 'busybox', 'ovmf-combined'].each { Repo.requireTool(it) }
        kernel = Kernels.debian()
    }

    /** Boots the shape; returns what QEMU served. */
    FwCfgCapture.Result capture(int cpus, int mib, int disks) {
        FwCfgCapture.run(new FwCfgCapture.Request(new Tools().find('qemu-system-x86_64'), null, Path.of('/usr/share/ovmf/OVMF.fd'), null,
                'pc-q35-7.2', 'tcg', cpus, mib, disks, kernel.vmlinuz(), kernel.modulesDir(), new Tools().find('busybox'),
                dir.resolve("s-$cpus-$mib-$disks"), Duration.ofSeconds(300)))
    }

    def "QEMU 7.2's etc/table-loader, etc/acpi/rsdp and etc/acpi/tables equal the 7.2 model: #cpus vCPU, #mib MiB, #disks disks"() {
        when:
        def real = capture(cpus, mib, disks)
        def built = AcpiBuild.build(new AcpiMachine(cpus, (mib as long) << 20, disks), QemuAcpiModel.QEMU_7_2_TCG)

        then:
        real.tableLoader() == built.tableLoader()
        real.rsdp() == built.rsdp()
        real.tables() == built.tables()

        where: 'both sides of the 2816 MiB split (and exactly on it), 0..8 disks (root ports at 00:02.x and 00:03.0), 1..16 vCPUs'
        cpus | mib  | disks
        1    | 512  | 1
        2    | 2048 | 0
        4    | 4096 | 3
        16   | 2816 | 2
        8    | 3072 | 8
    }
}
