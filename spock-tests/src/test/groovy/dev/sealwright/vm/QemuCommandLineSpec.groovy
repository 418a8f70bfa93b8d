package dev.sealwright.vm

import dev.sealwright.measure.tdx.TdxProfile
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import groovy.json.JsonSlurper
import spock.lang.Specification

import java.nio.file.Path

/**
 * Command lines checked option by option against what QEMU and the TEE stacks document. Expected
 * values are copied from the cited sources, never from our own output.
 */
class QemuCommandLineSpec extends Specification {
    static final Path OVMF_FD = Path.of('/usr/share/ovmf/OVMF.fd')
    static final VmRunDir RUN = new VmRunDir(Path.of('/run/vm'))

    VmSpec tee(String mode, Closure extra = {}) {
        def b = VmSpec.builder().firmware(OVMF_FD).kernel(Path.of('/boot/vmlinuz')).initrd(Path.of('/boot/initrd.img'))
                .cmdline('console=ttyS0').cpus(4).memory('2G').tee(mode)
        extra(b)
        b.build()
    }

    /** The values of every occurrence of an option. */
    static List<String> values(List<String> argv, String option) {
        (0..<argv.size() - 1).findAll { argv[it] == option }.collect { argv[it + 1] }
    }

    /** "a,b=c,d=e" as [a: '', b: 'c', d: 'e'] (QEMU keyval). */
    static Map<String, String> keyval(String s) {
        s.split(',').collectEntries { kv -> def p = kv.split('=', 2); [(p[0]): p.length > 1 ? p[1] : ''] }
    }

    def "TDX for the QEMU 8.2 Canonical stack matches canonical/tdx guest-tools/run_td.sh (commit 6ad4df9, Ubuntu 24.04)"() {
        when:
        def argv = QemuCommandLine.build(tee('tdx'), 'qemu-system-x86_64', QemuVersion.parse('8.2.2'), 'tcg', RUN)

        then: 'run_td.sh: -accel kvm, -cpu host, -bios ${TDVF_FIRMWARE}'
        values(argv, '-accel') == ['kvm']
        values(argv, '-cpu') == ['host']
        values(argv, '-bios') == [OVMF_FD.toString()]
        and: "run_td.sh: -object '{\"qom-type\":\"tdx-guest\",\"id\":\"tdx\",\"quote-generation-socket\":{\"type\": \"vsock\", \"cid\":\"2\",\"port\":\"4050\"}}'"
        def objects = values(argv, '-object')
        objects.size() == 1
        new JsonSlurper().parseText(objects[0]) == new JsonSlurper().parseText('{"qom-type":"tdx-guest","id":"tdx","quote-generation-socket":{"type": "vsock", "cid":"2","port":"4050"}}')
        and: 'run_td.sh: -machine q35,kernel_irqchip=split,confidential-guest-support=tdx,hpet=off'
        values(argv, '-machine') == ['q35,kernel_irqchip=split,confidential-guest-support=tdx,hpet=off']
        and: 'QEMU docs/system/i386/tdx.rst: TDVF is loaded with -bios, never as pflash (no readonly memslots)'
        !argv.any { it.startsWith('if=pflash') }
        and: 'direct boot and sizes'
        values(argv, '-kernel') == ['/boot/vmlinuz']
        values(argv, '-initrd') == ['/boot/initrd.img']
        values(argv, '-append') == ['console=ttyS0']
        values(argv, '-smp') == ['4']
        values(argv, '-m') == ['2048M']
    }

    def "TDX for upstream QEMU >= 10 matches canonical/tdx guest-tools/run_td (commit 325b233) and QEMU docs/system/i386/tdx.rst"() {
        when:
        def argv = QemuCommandLine.build(tee('tdx'), 'qemu-system-x86_64', QemuVersion.parse('10.1.0'), 'tcg', RUN)
        def objects = values(argv, '-object')

        then: 'tdx.rst "Launching a TD": -accel kvm -cpu host -object tdx-guest,id=... -machine ...,confidential-guest-support=<id> -bios OVMF.fd'
        values(argv, '-accel') == ['kvm']
        values(argv, '-cpu') == ['host']
        values(argv, '-bios') == [OVMF_FD.toString()]
        def tdx = new JsonSlurper().parseText(objects.find { it.startsWith('{') })
        tdx['qom-type'] == 'tdx-guest'
        and: 'qapi TdxGuestProperties (since 10.1): quote-generation-socket is a SocketAddress'
        tdx['quote-generation-socket'] == [type: 'vsock', cid: '2', port: '4050']
        and: "run_td: '-object', f'memory-backend-ram,id=mem0,size={mem}', '-machine', 'q35,kernel_irqchip=split,confidential-guest-support=tdx,memory-backend=mem0'"
        keyval(objects.find { it.startsWith('memory-backend-ram') }) == ['memory-backend-ram': '', id: 'mem0', size: '2048M']
        values(argv, '-machine') == ["q35,kernel_irqchip=split,confidential-guest-support=${tdx.id},memory-backend=mem0".toString()]
        and: 'the backend is as large as -m'
        values(argv, '-m') == ['2048M']
    }

    def "the TDX syntax is chosen by QEMU version: 8.x Canonical, 9.x (Ubuntu 25.04's 9.2) and 10.x upstream"() {
        expect:
        QemuVersion.parse(v).tdxDialect() == dialect

        where:
        v                                                      || dialect
        '8.2.2'                                                || TdxDialect.CANONICAL_8_2
        'QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1.4+tdx1.0)' || TdxDialect.CANONICAL_8_2
        '9.2.1'                                                || TdxDialect.UPSTREAM
        '10.2.1'                                               || TdxDialect.UPSTREAM
    }

    def "each host profile names its QEMU version, and that version's dialect is the one its launch line uses"() {
        expect: 'the profiles the measurement spec names: Canonical 24.04 on 8.2, Ubuntu 25.04 on 9.2, upstream 10.2'
        TdxProfile.named(name).qemu() == QemuVersion.parse(qemu)
        TdxProfile.named(name).dialect() == dialect
        and: 'the launch line for that QEMU version: memory-backend only in the upstream dialect'
        def argv = QemuCommandLine.build(tee('tdx'), 'q', TdxProfile.named(name).qemu(), 'kvm', RUN)
        values(argv, '-machine')[0].contains('memory-backend=mem0') == (dialect == TdxDialect.UPSTREAM)
        values(argv, '-machine')[0].contains('hpet=off') == (dialect == TdxDialect.CANONICAL_8_2)

        where:
        name           | qemu     || dialect
        'ubuntu-24.04' | '8.2.2'  || TdxDialect.CANONICAL_8_2
        'ubuntu-25.04' | '9.2.1'  || TdxDialect.UPSTREAM
        'qemu-10'      | '10.2.0' || TdxDialect.UPSTREAM
        'dstack'       | '9.0.0'  || TdxDialect.UPSTREAM
    }

    def "TDX quote-generation socket: unix path, or none"() {
        expect:
        def argv = QemuCommandLine.build(tee('tdx') { it.tdx(new TdxOptions(qgs)) }, 'q', QemuVersion.parse('10.1'), 'kvm', RUN)
        new JsonSlurper().parseText(values(argv, '-object').find { it.startsWith('{') })['quote-generation-socket'] == expected

        where:
        qgs                          || expected
        'unix:/var/run/tdx-qgs/qgs.socket' || [type: 'unix', path: '/var/run/tdx-qgs/qgs.socket']
        'none'                       || null
    }

    def "SNP matches the upstream QEMU >= 9.1 interface (qapi SevSnpGuestProperties; KVM SNP host series cover letter invocation)"() {
        given:
        def idBlock = Base64.encoder.encodeToString(new byte[96])
        def idAuth = Base64.encoder.encodeToString(new byte[4096])
        def hostData = Base64.encoder.encodeToString((1..32).collect { it as byte } as byte[])
        def spec = tee('snp') { it.snp(SnpOptions.DEFAULT.withIdBlock(idBlock, idAuth, true).withHostData(hostData)) }

        when:
        def argv = QemuCommandLine.build(spec, 'qemu-system-x86_64', QemuVersion.parse('9.1.0'), 'tcg', RUN)
        def objects = values(argv, '-object')
        def snp = keyval(objects.find { it.startsWith('sev-snp-guest') })

        then: 'cover letter: -machine q35,confidential-guest-support=sev0,memory-backend=ram1'
        values(argv, '-machine') == ['q35,confidential-guest-support=sev0,memory-backend=ram1']
        and: 'cover letter: -object memory-backend-memfd,id=ram1,size=4G,share=true,reserve=false (size = our -m)'
        keyval(objects.find { it.startsWith('memory-backend-memfd') }) == ['memory-backend-memfd': '', id: 'ram1', size: '2048M', share: 'true', reserve: 'false']
        and: 'cover letter: -object sev-snp-guest,id=sev0,cbitpos=51,reduced-phys-bits=1,...,kernel-hashes=on and -bios'
        snp.id == 'sev0'
        snp.cbitpos == '51'
        snp['reduced-phys-bits'] == '1'
        snp['kernel-hashes'] == 'on'
        values(argv, '-bios') == [OVMF_FD.toString()]
        and: 'qapi: policy (default 0x30000), id-block (96 B base64), id-auth (<= 4096 B), author-key-enabled (upstream spelling, not the AMD fork auth-key-enabled), host-data (32 B)'
        snp.policy == '0x30000'
        snp['id-block'] == idBlock
        snp['id-auth'] == idAuth
        snp['author-key-enabled'] == 'on'
        snp['host-data'] == hostData
        and: 'every property is one QEMU 9.1 documents'
        (snp.keySet() - ['sev-snp-guest', 'id', 'policy', 'guest-visible-workarounds', 'id-block', 'id-auth', 'author-key-enabled',
                         'host-data', 'vcek-disabled', 'cbitpos', 'reduced-phys-bits', 'kernel-hashes', 'sev-device']).isEmpty()
        and: 'SNPGuard launch.sh and sev-snp-measure default vCPU type'
        values(argv, '-cpu') == ['EPYC-v4']
    }

    def "plain q35 + OVMF: pflash code read-only plus the VM's own vars copy; swtpm via tpmdev emulator; forwards on loopback"() {
        given:
        def spec = VmSpec.builder().firmware(Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')).vars(Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd'))
                .kernel(Path.of('/boot/vmlinuz')).cpus(2).memory('1G').vtpm(true).forward('2222:22').forward('8080:80')
                .disk(Path.of('/data/root.qcow2')).build()

        when:
        def argv = QemuCommandLine.build(spec, 'qemu-system-x86_64', QemuVersion.parse('7.2.22'), 'tcg', RUN)

        then: 'QEMU docs (system/i386/pc, "-drive if=pflash"): unit 0 code read-only, unit 1 writable vars'
        values(argv, '-drive').findAll { it.startsWith('if=pflash') } == [
                'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
                'if=pflash,format=raw,unit=1,file=/run/vm/vars.fd']
        values(argv, '-accel') == ['tcg']
        values(argv, '-machine') == ['q35']
        and: 'QEMU docs/specs/tpm.rst "The QEMU TPM emulator device": chardev socket + tpmdev emulator + tpm-crb'
        values(argv, '-chardev').contains('socket,id=chrtpm,path=/run/vm/swtpm.sock')
        values(argv, '-tpmdev') == ['emulator,id=tpm0,chardev=chrtpm']
        values(argv, '-device').contains('tpm-crb,tpmdev=tpm0')
        and: 'user networking hostfwd=[tcp]:[hostaddr]:hostport-[guestaddr]:guestport'
        values(argv, '-netdev') == ['user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80']
        values(argv, '-device').contains('virtio-net-pci,netdev=net0')
        and: 'disks are attached with snapshot=on so the input file is never written'
        values(argv, '-drive').contains('if=none,id=disk0,format=qcow2,snapshot=on,file=/data/root.qcow2')
        and: 'console and QMP go to the run directory'
        values(argv, '-serial') == ['chardev:serial0']
        values(argv, '-qmp') == ['unix:/run/vm/qmp.sock,server=on,wait=off']
    }

    def "a TEE launch on this host (no TDX, no SNP) is refused with the reason; --dry-run still prints the command line"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        def caps = HostCapabilities.detect(new Tools())

        expect: 'this CI host has neither TEE'
        !caps.tdxEnabled()
        !caps.snpEnabled()
        caps.refusal(tee('tdx')).get().startsWith('tee tdx needs ')
        caps.refusal(tee('snp')).get().startsWith('tee snp needs ')
        caps.refusal(VmSpec.builder().firmware(OVMF_FD).kernel(Path.of('/k')).build()).isEmpty()

        when:
        def launch = Cli.run('launch', '--firmware', OVMF_FD.toString(), '--kernel', OVMF_FD.toString(), '--tee', mode, '--memory', '2G')
        def dry = Cli.run('launch', '--firmware', OVMF_FD.toString(), '--kernel', OVMF_FD.toString(), '--tee', mode, '--memory', '2G',
                '--dry-run', '--qemu-version', '10.1.0', '--run-dir', '/run/vm')

        then:
        launch.exitCode == 1
        launch.err.trim().readLines().size() == 1
        launch.err.contains("cannot launch on this host: tee ${mode} needs ")
        dry.exitCode == 0
        dry.out.contains(objectWord)
        dry.out.contains('-qmp unix:/run/vm/qmp.sock,server=on,wait=off')

        where:
        mode  || objectWord
        'tdx' || '"qom-type":"tdx-guest"'
        'snp' || 'sev-snp-guest,id=sev0'
    }

    def "a firmware whose QEMU descriptor says requires-smm gets SMM and a secure pflash, as libvirt gives it; others do not"() {
        given:
        Repo.requireTool('ovmf')
        def plain = VmSpec.builder().firmware(Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')).vars(Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd'))
                .uki(Path.of('/x.efi')).build()
        def secure = VmSpec.builder().firmware(Path.of('/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd')).vars(Path.of('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd'))
                .uki(Path.of('/x.efi')).build()

        when:
        def a = QemuCommandLine.build(plain, 'qemu-system-x86_64', QemuVersion.parse('7.2.0'), 'tcg', RUN)
        def b = QemuCommandLine.build(secure, 'qemu-system-x86_64', QemuVersion.parse('7.2.0'), 'tcg', RUN)

        then: 'Debian ovmf: 60-edk2-x86_64.json has no requires-smm; OVMF_CODE_4M.snakeoil.fd -> secboot, 50-edk2-x86_64-secure.json has it'
        values(a, '-machine') == ['q35']
        values(a, '-global') == []
        values(b, '-machine') == ['q35,smm=on']
        values(b, '-global') == ['driver=cfi.pflash01,property=secure,value=on']
    }
}
