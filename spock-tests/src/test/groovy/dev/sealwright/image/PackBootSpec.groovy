package dev.sealwright.image

import dev.sealwright.image.oci.SampleImages
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * Boots the packed hello UKI under QEMU TCG with Debian's OVMF and reads the serial console.
 * QEMU is run directly here; to be switched to the Launch component (dev.sealwright.vm) at merge.
 */
class PackBootSpec extends Specification {
    @TempDir Path tmp

    def "the packed hello UKI boots under QEMU + OVMF, init runs the workload, and the guest powers off"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        Repo.requireTool('ovmf')
        Kernels.debian()
        SampleImages.writeHello(tmp.resolve('images/hello'), tmp)
        Files.writeString(tmp.resolve('pack.groovy'), '''
pipeline('boot-hello') {
    pack {
        image   'oci:images/hello'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }
}
''')
        def r = Cli.run('run', tmp.resolve('pack.groovy').toString(), '-C', tmp.toString())
        assert r.exitCode == 0: r.toString()
        def esp = tmp.resolve('esp/EFI/BOOT')
        Files.createDirectories(esp)
        Files.copy(tmp.resolve('out/pack/uki.efi'), esp.resolve('BOOTX64.EFI'))
        def code = new Tools().find('ovmf')
        def vars = tmp.resolve('vars.fd')
        Files.copy(code.resolveSibling(code.fileName.toString().replace('CODE', 'VARS')), vars)
        def console = tmp.resolve('console.log')

        when:
        def result = new Tools().exec('qemu-system-x86_64', '-machine', 'q35', '-accel', 'tcg', '-m', '1024', '-smp', '1',
                '-display', 'none', '-no-reboot', '-monitor', 'none', '-serial', "file:${console}",
                '-drive', "if=pflash,format=raw,unit=0,readonly=on,file=${code}",
                '-drive', "if=pflash,format=raw,unit=1,file=${vars}",
                '-drive', "file=fat:rw:${tmp.resolve('esp')},format=raw,if=virtio",
                '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0')
                .timeout(Duration.ofSeconds(240)).run()
        def lines = Files.readAllLines(console, java.nio.charset.StandardCharsets.ISO_8859_1)*.trim()

        then: 'QEMU exited on its own: the guest powered off'
        result.exitCode() == 0

        and: 'init reported each phase, the workload greeted with the packed kernel release, and init powered off'
        lines.contains('SW-STATUS boot')
        lines.contains('SW-STATUS module path=/sealwright/modules/virtio_net.ko.xz result=ok')
        lines.contains('SW-STATUS net ifname=eth0 addr=10.0.2.15/24 result=ok errno=0')
        lines.contains('SW-STATUS workload-start argv0=/hello uid=1000 gid=1000 workdir=/')
        lines.contains('hello from sealwright: tee=none kernel=' + Kernels.debian().release())
        lines.indexOf('SW-STATUS workload-exit code=0') > lines.indexOf('SW-STATUS workload-start argv0=/hello uid=1000 gid=1000 workdir=/')
        lines.contains('SW-STATUS poweroff')
    }
}
