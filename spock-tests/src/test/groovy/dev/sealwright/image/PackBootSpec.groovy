package dev.sealwright.image

import dev.sealwright.image.oci.SampleImages
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import dev.sealwright.vm.HostCapabilities
import dev.sealwright.vm.VmHandle
import dev.sealwright.vm.VmSpec
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * Boots the packed hello UKI under QEMU TCG with Debian's OVMF and reads the serial console.
 * Booted through the Launch component (VmSpec + VmHandle), as a deployed image boots: from an ESP.
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
        def tools = new Tools()
        def spec = VmSpec.builder().firmware(Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')).vars(Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd'))
                .uki(tmp.resolve('out/pack/uki.efi')).cpus(1).memory('1G').nics(1).build()

        when: 'the Launch component boots it from a GPT disk whose ESP holds it as \\EFI\\BOOT\\BOOTX64.EFI'
        def vm = VmHandle.launch(spec, tools, HostCapabilities.detect(tools), tmp.resolve('vm'), {})
        int exit = vm.waitForExit(Duration.ofSeconds(300))
        def lines = vm.console()*.trim()

        then: 'QEMU exited on its own: the guest powered off'
        exit == 0

        and: 'init reported each phase, the workload greeted with the packed kernel release, and init powered off'
        lines.contains('SW-STATUS boot')
        lines.contains('SW-STATUS module path=/sealwright/modules/virtio_net.ko.xz result=ok')
        lines.contains('SW-STATUS net ifname=eth0 addr=10.0.2.15/24 result=ok errno=0')
        and: 'the TEE guest drivers are packed: configfs and tsm load (configfs-tsm mounts), tdx-guest and sev-guest find no TEE here'
        lines.contains('SW-STATUS module path=/sealwright/modules/configfs.ko.xz result=ok')
        lines.contains('SW-STATUS module path=/sealwright/modules/tsm.ko.xz result=ok')
        lines.contains('SW-STATUS module path=/sealwright/modules/tdx-guest.ko.xz result=no-device')
        lines.contains('SW-STATUS module path=/sealwright/modules/sev-guest.ko.xz result=no-device')
        !lines.any { it.startsWith('SW-STATUS mount') }
        lines.contains('SW-STATUS workload-start argv0=/hello uid=1000 gid=1000 workdir=/')
        lines.contains('hello from sealwright: tee=none kernel=' + Kernels.debian().release())
        lines.indexOf('SW-STATUS workload-exit code=0') > lines.indexOf('SW-STATUS workload-start argv0=/hello uid=1000 gid=1000 workdir=/')
        lines.contains('SW-STATUS poweroff')

        cleanup:
        vm?.close()
    }
}
