package dev.sealwright.vm

import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * Host detection reads the real QEMU; the /dev and /sys trees of a TDX or SNP host are SIMULATED
 * here (this machine has neither) to check the decision logic against the kernel's parameter files.
 */
class HostCapabilitiesSpec extends Specification {
    @TempDir Path root

    def "the installed QEMU reports its version and user-creatable objects"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        def p = new ProcessBuilder('qemu-system-x86_64', '--version').start()
        def first = p.inputStream.text.readLines()[0]
        p.waitFor()

        when:
        def caps = HostCapabilities.detect(new Tools())

        then:
        first.contains("version ${caps.qemuVersion().major()}.${caps.qemuVersion().minor()}.")
        caps.qemuObjects().containsAll(['memory-backend-ram', 'memory-backend-memfd', 'secret'])
        caps.accelerator() == (caps.kvmUsable() ? 'kvm' : 'tcg')
    }

    def "SIMULATED sysfs: TDX needs kvm_intel with tdx=Y and a QEMU with tdx-guest; SNP needs kvm_amd with sev_snp=Y"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        Files.createDirectories(root.resolve('dev'))
        Files.write(root.resolve('dev/kvm'), new byte[0])
        def params = root.resolve("sys/module/${module}/parameters")
        Files.createDirectories(params)
        Files.writeString(params.resolve(param), value + '\n')
        def spec = VmSpec.builder().firmware(Path.of('/OVMF.fd')).kernel(Path.of('/k')).tee(tee).build()

        when:
        def caps = HostCapabilities.detect(new Tools(), root)
        def refusal = caps.refusal(spec)
        boolean qemuHasObject = caps.qemuObjects().contains(tee == 'tdx' ? 'tdx-guest' : 'sev-snp-guest')

        then:
        caps.kvmUsable()
        caps.tdxEnabled() == (tee == 'tdx' && value == 'Y')
        caps.snpEnabled() == (tee == 'snp' && value == 'Y')
        if (value == 'N') assert refusal.get().contains("enabled in ${module}")
        else if (!qemuHasObject) assert refusal.get().contains("needs a QEMU with the ${tee == 'tdx' ? 'tdx-guest' : 'sev-snp-guest'} object")
        else assert refusal.isEmpty()

        where:
        tee   | module      | param     | value
        'tdx' | 'kvm_intel' | 'tdx'     | 'Y'
        'tdx' | 'kvm_intel' | 'tdx'     | 'N'
        'snp' | 'kvm_amd'   | 'sev_snp' | 'Y'
        'snp' | 'kvm_amd'   | 'sev_snp' | 'N'
    }

    def "without kvm_intel or kvm_amd, KVM is unusable and a plain VM falls back to TCG"() {
        given:
        Files.createDirectories(root.resolve('dev'))
        Files.write(root.resolve('dev/kvm'), new byte[0])
        Files.createDirectories(root.resolve('sys/module/kvm'))

        when:
        def caps = HostCapabilities.detect(new Tools(), root)

        then:
        !caps.kvmUsable()
        caps.kvmReason() == 'neither kvm_intel nor kvm_amd is loaded (no hardware virtualization)'
        caps.accelerator() == 'tcg'
        caps.refusal(VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).tee('tdx').build()).get()
                .startsWith('tee tdx needs KVM, and KVM is not usable here')
    }
}
