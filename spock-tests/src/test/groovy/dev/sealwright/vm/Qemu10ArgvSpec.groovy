package dev.sealwright.vm

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import dev.sealwright.tools.Tools
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The TEE argv for QEMU >= 9 checked by QEMU 10.0.2 itself (bookworm-backports, unpacked by
 * .ci/fetch-stack): QEMU parses and checks the sev-snp-guest properties when it creates the object,
 * before it initialises KVM; so an accepted argv fails at KVM (no SNP host here) and a wrong one
 * fails earlier, naming the property. QEMU 10.0 has no tdx-guest object (TDX came in 10.1).
 */
class Qemu10ArgvSpec extends Specification {
    @Shared Tools tools = new Tools().withSearchPath(Stack.qemu10Bin().toString() + File.pathSeparator + System.getenv('PATH'))
    @Shared HostCapabilities host = HostCapabilities.detect(tools)
    @TempDir Path dir

    List<String> snpArgv(String idBlock, String idAuth) {
        def spec = VmSpec.builder().firmware(Path.of('/usr/share/ovmf/OVMF.fd')).kernel(Path.of('/etc/hostname')).cmdline('console=ttyS0')
                .cpus(1).memory('512M').tee('snp').snp(SnpOptions.DEFAULT.withIdBlock(idBlock, idAuth, true)
                .withHostData(Base64.encoder.encodeToString(new byte[32]))).build()
        QemuCommandLine.build(spec, tools.find('qemu-system-x86_64').toString(), host.qemuVersion(), 'kvm', new VmRunDir(dir))
    }

    /** QEMU's stderr lines (it runs at most 30 s; without KVM it stops at once). */
    List<String> run(List<String> argv) {
        def p = new ProcessBuilder(argv).redirectErrorStream(true).start()
        assert p.waitFor(30, TimeUnit.SECONDS) || { p.destroyForcibly(); false }()
        assert p.exitValue() != 0
        p.inputStream.text.readLines().findAll { !it.isBlank() }
    }

    static String b64(int n) {
        Base64.encoder.encodeToString(new byte[n])
    }

    def "QEMU 10.0.2 accepts every sev-snp-guest property of our SNP argv (96-byte id-block, 4096-byte id-auth, host-data) and stops only at KVM"() {
        expect:
        host.qemuVersion().toString().startsWith('10.0')
        host.qemuObjects().contains('sev-snp-guest')
        def err = run(snpArgv(b64(96), b64(4096)))
        !err.isEmpty()
        err.every { it =~ /(?i)kvm/ }   // here "vm-type SEV-SNP not supported by KVM"; without /dev/kvm "Could not access KVM ..."
        !err.any { it =~ /(?i)parameter|property|length/ }
    }

    def "QEMU 10.0.2 and SnpOptions refuse the same id-block/id-auth lengths, QEMU before KVM: #what"() {
        given: 'our valid argv with one property changed to the wrong length'
        def argv = snpArgv(b64(96), b64(4096)).collect { it.startsWith('sev-snp-guest,') ? it.replace("${property}=${property == 'id-block' ? b64(96) : b64(4096)}", "${property}=${bad}") : it }

        expect: "QEMU's own message"
        run(argv) == ["qemu-system-x86_64: ${message}".toString()]

        when: 'the same value given to our SNP options'
        SnpOptions.DEFAULT.withIdBlock(property == 'id-block' ? bad : b64(96), property == 'id-auth' ? bad : b64(4096), true)
        then:
        def e = thrown(dev.sealwright.base.RecipeException)
        e.message.contains("snp ${property} is ")

        where:
        what                    | property   | bad        || message
        'id-block of 95 bytes'  | 'id-block' | b64(95)    || 'parameter length of 95 not equal to 96'
        'id-block of 97 bytes'  | 'id-block' | b64(97)    || 'parameter length of 97 not equal to 96'
        'id-auth of 4097 bytes' | 'id-auth'  | b64(4097)  || 'parameter length:ID_AUTH 4097 exceeds max of 4096'
    }

    def "QEMU 10.0.2 has no tdx-guest object: the QEMU >= 10 TDX argv cannot be checked on it (HostCapabilities refuses tee tdx)"() {
        expect:
        !host.qemuObjects().contains('tdx-guest')
        run([tools.find('qemu-system-x86_64').toString(), '-object', 'tdx-guest,help']) ==
                ["qemu-system-x86_64: -object tdx-guest,help: Parameter 'qom-type' does not accept value 'tdx-guest'"]
    }

    def "the QEMU >= 9 TDX argv without its tdx-guest object: QEMU 10.0.2 accepts the memory backend and every machine property (kernel_irqchip=split, memory-backend) and fails only in KVM"() {
        given: 'the TDX argv QEMU 10.0.2 would get; the tdx-guest object (10.1+) and the confidential-guest-support naming it are taken out'
        def spec = VmSpec.builder().firmware(Path.of('/usr/share/ovmf/OVMF.fd')).kernel(Path.of('/etc/hostname')).cmdline('console=ttyS0')
                .cpus(1).memory('512M').tee('tdx').build()
        def argv = QemuCommandLine.build(spec, tools.find('qemu-system-x86_64').toString(), host.qemuVersion(), 'kvm', new VmRunDir(dir))
        int obj = argv.findIndexOf { it.contains('"tdx-guest"') }
        assert obj > 0 && argv[obj - 1] == '-object'
        def rest = argv.withIndex().findAll { a, i -> i != obj && i != obj - 1 }*.get(0).collect { it.replace(',confidential-guest-support=tdx', '') }

        expect:
        rest.contains('memory-backend-ram,id=mem0,size=512M')
        rest.any { it.startsWith('q35,') && it.contains('kernel_irqchip=split') && it.contains('memory-backend=mem0') }
        def err = run(rest)
        and: 'without /dev/kvm: "Could not access KVM kernel module"; with a KVM that is no TDX host, KVM refuses the vCPU (here: "failed to set MSR ..." and kvm.c\'s assertion)'
        err.any { it =~ /(?i)kvm/ }
        !err.any { it =~ /(?i)parameter|property|invalid|does not accept|not found/ }
    }

    def "sealwright launch boots a plain VM (no vTPM) under QEMU 10.0.2 when it comes first on PATH: OVMF 2025.02, direct kernel boot, the guest powers off"() {
        given: 'a busybox init that reports the kernel and whether a TPM is present, then powers off'
        def kernel = Kernels.debian().vmlinuz()
        def root = Files.createDirectories(dir.resolve('root/bin'))
        Files.copy(Repo.requireTool('busybox'), root.resolve('busybox'))
        Files.writeString(dir.resolve('root/init'), '''#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t sysfs sysfs /sys
echo "SW-PLAIN $(/bin/busybox uname -r) tpm=$(/bin/busybox ls /sys/class/tpm 2>/dev/null | /bin/busybox wc -l)"
/bin/busybox poweroff -f
''')
        dir.resolve('root/init').toFile().setExecutable(true)
        def cpio = new ProcessBuilder('sh', '-c', 'find . | cpio -o -H newc --quiet > ../initrd.img').directory(dir.resolve('root').toFile()).start()
        assert cpio.waitFor() == 0
        Path runDir = dir.resolve('run')

        when:
        def p = Cli.start(dir, [PATH: Stack.qemu10Bin().toString() + File.pathSeparator + System.getenv('PATH')], 'launch',
                '--firmware', Stack.ovmf2025('OVMF_CODE_4M.fd').toString(), '--vars', Stack.ovmf2025('OVMF_VARS_4M.fd').toString(),
                '--kernel', kernel.toString(), '--initrd', dir.resolve('initrd.img').toString(), '--cmdline', 'console=ttyS0 panic=-1',
                '--memory', '512M', '--timeout', '500', '--run-dir', runDir.toString())
        boolean ended = p.waitFor(600, TimeUnit.SECONDS)
        def log = Files.readString(dir.resolve('cli.log'))

        then:
        ended || { p.destroyForcibly(); false }()
        p.exitValue() == 0
        Files.readString(runDir.resolve('qemu.argv')).contains(Stack.qemu10Bin().toString())
        log.readLines().any { it.trim() ==~ /SW-PLAIN \S+ tpm=0/ }
    }
}
