package dev.sealwright.measure.acpi

import dev.sealwright.image.kernel.DebianKernel
import dev.sealwright.measure.capture.FwCfgCapture
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import dev.sealwright.tools.Tools
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path
import java.time.Duration

/**
 * The QEMU 10.0 model against QEMU 10.0.2 itself (bookworm-backports, the private prefix of
 * .ci/fetch-stack) under TCG with Debian's OVMF 2025.02 (OVMF_CODE_4M.fd + vars as pflash): the
 * ubuntu-24.04 TD topology (launch's own -global/-device placement) boots with the capture initramfs
 * of measure capture, which reads the three fw_cfg blobs inside the guest and sends them over the
 * shape's virtio-net to a QEMU guestfwd sink. The builder must equal them byte for byte. One boot
 * per shape (about 30 s under TCG).
 */
class Qemu10AcpiBootSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared DebianKernel.Unpacked kernel

    def setupSpec() {
        ['busybox'].each { Repo.requireTool(it) }
        Stack.qemu10Bin()
        kernel = Kernels.debian()
    }

    FwCfgCapture.Result capture(String machine, int cpus, int mib, int disks) {
        def q = Stack.qemu10Bin()
        FwCfgCapture.run(new FwCfgCapture.Request(q.resolve('qemu-system-x86_64'), Stack.QEMU10.resolve('usr/share/qemu'),
                Stack.ovmf2025('OVMF_CODE_4M.fd'), Stack.ovmf2025('OVMF_VARS_4M.fd'), machine, 'tcg', cpus, mib, disks,
                kernel.vmlinuz(), kernel.modulesDir(), new Tools().find('busybox'), dir.resolve("$machine-$cpus-$mib-$disks"), Duration.ofSeconds(300)))
    }

    def "QEMU 10.0.2's etc/table-loader, etc/acpi/rsdp and etc/acpi/tables equal the 10.0 model: #machine, #cpus vCPU, #mib MiB, #disks disks"() {
        when:
        def real = capture(machine, cpus, mib, disks)
        def built = AcpiBuild.build(new AcpiMachine(cpus, (mib as long) << 20, disks), QemuAcpiModel.QEMU_10_0_TCG)

        then:
        real.tableLoader() == built.tableLoader()
        real.rsdp() == built.rsdp()
        real.tables() == built.tables()

        and: 'OVMF created BootOrder and Boot#### (read from efivarfs)'
        real.efiVariables().keySet().any { it.startsWith('BootOrder-8be4df61') }

        where: 'both sides of the 2816 MiB split (and on it), 0..8 disks (root ports 00:02.x and 00:03.0), 1..64 vCPUs (> 8: APIC cluster model); pc-q35-9.2 on 10.0.2 builds the same'
        machine       | cpus | mib  | disks
        'pc-q35-10.0' | 1    | 512  | 0
        'pc-q35-10.0' | 8    | 4096 | 3
        'pc-q35-10.0' | 16   | 2816 | 8
        'pc-q35-10.0' | 64   | 3072 | 2
        'pc-q35-9.2'  | 2    | 2048 | 1
    }

    def "the 9.2 model is the 10.0 model without CEJL in the CPU scan (the one difference in the sources of 9.2.1 and 10.0.2)"() {
        when:
        def m = new AcpiMachine(4, 4096L << 20, 2)
        byte[] t10 = AcpiBuild.build(m, QemuAcpiModel.QEMU_10_0_TCG).tables()
        byte[] t92 = AcpiBuild.build(m, QemuAcpiModel.QEMU_9_2_TCG).tables()

        then:
        count(t10, 'CEJL') == 3
        count(t92, 'CEJL') == 0
        AcpiBuild.build(m, QemuAcpiModel.QEMU_9_2_TCG).tableLoader() != AcpiBuild.build(m, QemuAcpiModel.QEMU_10_0_TCG).tableLoader()
    }

    static int count(byte[] b, String s) {
        new String(b, 'ISO-8859-1').count(s)
    }
}
