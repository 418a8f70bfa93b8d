package dev.sealwright.measure.stack

import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.event.EventLog
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.event.Registers
import dev.sealwright.measure.event.Tcg2EventLogCodec
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import dev.sealwright.tools.Tools
import dev.sealwright.vm.HostCapabilities
import dev.sealwright.vm.VmHandle
import dev.sealwright.vm.VmSpec
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Duration

/**
 * Ground truth on a current stack: QEMU 10.0.2 (bookworm-backports, TCG) + OVMF 2025.02 (trixie) +
 * swtpm, booting UKIs on systemd-stub 252 (Debian 12), 254.26 (bookworm-backports) and 257.13
 * (trixie) from the ESP the Launch component writes, with and without Secure Boot. Each guest prints
 * its TCG2 event log and PCRs 0-23 in both banks; `measure vtpm` (the guest's log as
 * --reference-log for PCRs 0 and 1) must equal every PCR it computes and `eventlog diff` must report
 * no difference in either bank. The stacks come from .ci/fetch-stack (pinned .deb sha256).
 */
class StackBootSpec extends Specification {
    static final String CMDLINE = 'console=ttyS0 panic=-1'

    @Shared @TempDir Path work
    @Shared Path initrd, kernel, key, cert

    def setupSpec() {
        ['swtpm', 'busybox', 'cpio', 'openssl', 'sbsign', 'sgdisk', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        kernel = Kernels.debian().vmlinuz()
        initrd = dumpingInitrd()
        Path snakeoil = Stack.ovmf2025('../ovmf/PkKek-1-snakeoil.key')
        key = work.resolve('snakeoil.key')
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rw-------')))
        sh('openssl', 'rsa', '-in', snakeoil.toString(), '-passin', 'pass:snakeoil', '-out', key.toString())
        cert = Stack.ovmf2025('../ovmf/PkKek-1-snakeoil.pem')
    }

    def "stub 257 UKI with .ucode .pcrpkey .pcrsig .profile, no Secure Boot: every computed PCR equals the guest's, eventlog diff differs only in PCR 9"() {
        when:
        def uki = buildUki('257', Stack.stub('257.13'), true, true, true)
        def guest = boot('s257', Stack.ovmf2025('OVMF_CODE_4M.fd'), Stack.ovmf2025('OVMF_VARS_4M.fd'), uki)

        then: 'the stub adds .pcrsig/.pcrpkey/.ucode cpios to the initrd: PCR 9 is reported not computed; only its initrd event (the 2nd) differs'
        agrees(guest, false) == ['PCR9 event 2']
        and: 'PCR 11: .linux .osrel .cmdline .initrd .ucode .uname .sbat .pcrpkey .profile; PCR 4: the inner kernel after the UKI'
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.ucode', '.uname', '.sbat', '.pcrpkey', '.profile']
        innerKernelLogged(guest)
    }

    def "stub 257 UKI with .profile under Secure Boot (snakeoil): every computed PCR equals the guest's, eventlog diff differs only in PCR 9"() {
        when:
        def uki = sign(buildUki('257p', Stack.stub('257.13'), false, false, true))
        def guest = boot('s257sb', Stack.ovmf2025('OVMF_CODE_4M.snakeoil.fd'), Stack.ovmf2025('OVMF_VARS_4M.snakeoil.fd'), uki)

        then:
        guest.console.any { it.contains('Secure boot enabled') }
        and: 'stub 257 serves more than .initrd to the kernel even without .pcrsig/.pcrpkey/.ucode: PCR 9 is reported not computed'
        agrees(guest, true) == ['PCR9 event 2']
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.uname', '.sbat', '.profile']
        !innerKernelLogged(guest)
    }

    def "stub 254 UKI with .pcrpkey .pcrsig under Secure Boot (snakeoil): every computed PCR equals the guest's, eventlog diff differs only in PCR 9"() {
        when:
        def uki = sign(buildUki('254', Stack.stub('254.26'), true, false, false))
        def guest = boot('s254', Stack.ovmf2025('OVMF_CODE_4M.snakeoil.fd'), Stack.ovmf2025('OVMF_VARS_4M.snakeoil.fd'), uki)

        then:
        guest.console.any { it.contains('Secure boot enabled') }
        agrees(guest, true) == ['PCR9 event 2']
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.uname', '.sbat', '.pcrpkey']
        !innerKernelLogged(guest)
    }

    def "stub 252 UKI, no Secure Boot: every computed PCR equals the guest's, eventlog diff is clean"() {
        when:
        def uki = buildUki('252', Repo.requireTool('systemd-stub'), false, false, false)
        def guest = boot('s252', Stack.ovmf2025('OVMF_CODE_4M.fd'), Stack.ovmf2025('OVMF_VARS_4M.fd'), uki)

        then:
        agrees(guest, false) == []
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd']
        innerKernelLogged(guest)
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Path buildUki(String name, Path stub, boolean pcrSections, boolean ucode, boolean profile) {
        def pe = PeFile.read(UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(stub), Files.readAllBytes(kernel), Files.readAllBytes(initrd),
                CMDLINE, '6.12-test', 'ID=test\n'), name), name)
        if (pcrSections) {
            Path pub = work.resolve("${name}-pcr.pub")
            sh('sh', '-c', "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkey -pubout -out ${pub}")
            pe.addSection('.pcrpkey', Files.readAllBytes(pub))
            pe.addSection('.pcrsig', '{"sha256":[{"pcrs":[11],"pkfp":"00","pol":"00","sig":"00"}]}\n'.bytes)
        }
        if (ucode) pe.addSection('.ucode', ucodeCpio())
        if (profile) pe.addSection('.profile', 'ID=main\nTITLE=main profile\n'.bytes)
        Path out = work.resolve("${name}.efi")
        Files.write(out, pe.toBytes())
        out
    }

    /** A newc cpio as ukify packs microcode: kernel/x86/microcode/GenuineIntel.bin (placeholder bytes). */
    private byte[] ucodeCpio() {
        Path root = work.resolve('ucode-root')
        Files.createDirectories(root.resolve('kernel/x86/microcode'))
        Files.write(root.resolve('kernel/x86/microcode/GenuineIntel.bin'), new byte[64])
        sh('sh', '-c', "cd ${root} && find kernel | cpio -o -H newc --quiet > ../ucode.cpio")
        Files.readAllBytes(work.resolve('ucode.cpio'))
    }

    private Path sign(Path unsigned) {
        Path signed = unsigned.resolveSibling(unsigned.fileName.toString().replace('.efi', '-signed.efi'))
        sh('sbsign', '--key', key.toString(), '--cert', cert.toString(), '--output', signed.toString(), unsigned.toString())
        signed
    }

    /** An initrd whose /init prints the TPM log (base64) and PCRs 0-23 of both banks, then powers off. */
    private Path dumpingInitrd() {
        def root = Files.createDirectories(work.resolve('initrd-root/bin'))
        Files.copy(Repo.requireTool('busybox'), root.resolve('busybox'))
        def init = work.resolve('initrd-root/init')
        Files.writeString(init, '''#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t securityfs securityfs /sys/kernel/security
echo 1 > /proc/sys/kernel/printk
exec > /dev/ttyS0 2>&1
for b in sha256 sha384; do for i in $(/bin/busybox seq 0 23); do echo "SW-PCR $b $i $(/bin/busybox cat /sys/class/tpm/tpm0/pcr-$b/$i)"; done; done
echo SW-EVENTLOG-BEGIN
/bin/busybox base64 /sys/kernel/security/tpm0/binary_bios_measurements
echo SW-EVENTLOG-END
/bin/busybox poweroff -f
''')
        init.toFile().setExecutable(true)
        sh('sh', '-c', "cd ${work.resolve('initrd-root')} && find . | cpio -o -H newc --quiet > ../initrd.img")
        work.resolve('initrd.img')
    }

    /** Boots {@code image} from the ESP under QEMU 10.0 (found first on the search path) with a vTPM. */
    private Map boot(String name, Path code, Path vars, Path image) {
        Path runDir = work.resolve("run-${name}")
        def tools = new Tools().withSearchPath(Stack.qemu10Bin().toString() + File.pathSeparator + System.getenv('PATH'))
        def host = HostCapabilities.detect(tools)
        assert host.qemuVersion().toString().startsWith('10.0')
        def spec = VmSpec.builder().firmware(code).vars(vars).uki(image).vtpm(true).cpus(1).memory('1G').build()
        def vm = VmHandle.launch(spec, tools, host, runDir, {})
        try {
            assert vm.waitForExit(Duration.ofSeconds(400)) == 0
            List<String> lines = vm.console()*.trim()
            Map<String, Map<Integer, String>> pcrs = [sha256: [:], sha384: [:]]
            lines.each { l ->
                def m = l =~ /^SW-PCR (sha256|sha384) (\d+) ([0-9A-F]+)$/
                if (m.matches()) pcrs[m.group(1)][m.group(2) as int] = m.group(3).toLowerCase()
            }
            int begin = lines.indexOf('SW-EVENTLOG-BEGIN'), end = lines.indexOf('SW-EVENTLOG-END')
            assert begin >= 0 && end > begin + 1: "the guest printed no event log:\n${lines.takeRight(40).join('\n')}"
            byte[] log = Base64.mimeDecoder.decode(lines.subList(begin + 1, end).join('\n'))
            Path logFile = runDir.resolve('guest-eventlog.bin')
            Files.write(logFile, log)
            Path kept = Files.createDirectories(Path.of('target', 'stack-boot'))   // kept for a failure's diagnosis
            Files.write(kept.resolve("${name}-eventlog.bin"), log)
            Files.copy(image, kept.resolve("${name}.efi"), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
            Files.copy(runDir.resolve('esp.img'), kept.resolve("${name}-esp.img"), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
            Files.write(kept.resolve("${name}-console.txt"), lines)
            assert pcrs.sha256.size() == 24 && pcrs.sha384.size() == 24: "the guest printed PCRs ${pcrs}"
            [console: lines, pcrs: pcrs, logFile: logFile, log: Tcg2EventLogCodec.read(log, logFile.toString(), LogKind.TPM_EVENT_LOG),
             code: code, vars: vars, image: image, bootDisk: runDir.resolve('esp.img'), argv: Files.readString(runDir.resolve('qemu.argv'))]
        } finally {
            vm.close()
        }
    }

    /** The section names of the stub's PCR 11 events (each logged twice: name, then contents). */
    private static List<String> stubEvents(Map guest) {
        def names = (guest.log as EventLog).events().findAll { it.index() == 11 }.collect { new String(it.data(), 'UTF-16LE').replace('\0', '') }
        assert names.size() % 2 == 0 && (0..<names.size()).step(2).every { names[it] == names[it + 1] }
        (0..<names.size()).step(2).collect { names[it] }
    }

    /** Whether PCR 4 holds a second EV_EFI_BOOT_SERVICES_APPLICATION (the inner kernel, after the UKI). */
    private static boolean innerKernelLogged(Map guest) {
        (guest.log as EventLog).events().count { it.index() == 4 && it.typeName() == 'EV_EFI_BOOT_SERVICES_APPLICATION' } == 2
    }

    /**
     * The guest log replays to its PCRs; measure vtpm equals every PCR it computes, in both banks.
     * Returns the first differences eventlog diff names ("PCR9 event 2": the LoadOptions event before it
     * matched), the same in both banks, each in a register the prediction reports as not computed.
     */
    private List<String> agrees(Map guest, boolean secureBoot) {
        EventLog log = guest.log as EventLog
        ['sha256', 'sha384'].each { bank ->
            def regs = Registers.replay(log, HashAlg.byLabel(bank))
            (0..15).findAll { it != 10 }.each { int pcr -> assert regs.hex(pcr) == guest.pcrs[bank][pcr]: "${bank} PCR ${pcr} replay" }
        }
        Path predicted = guest.logFile.resolveSibling('predicted.json')
        def args = ['measure', 'vtpm', '--firmware-code', guest.code.toString(), '--firmware-vars', guest.vars.toString(), '--uki', guest.image.toString(),
                    '--boot-disk', guest.bootDisk.toString(), '--reference-log', guest.logFile.toString(), '--eventlog', predicted.toString(), '--json']
        if (secureBoot) args << '--secure-boot'
        def p = Cli.run(args as String[])
        assert p.exitCode == 0: p.toString()
        def doc = new JsonSlurper().parseText(p.out) as Map
        assert (doc.missing.keySet() - ['0', '1', '9', '10']).isEmpty(): "not computed: ${doc.missing}"
        def differing = ['sha256', 'sha384'].collect { bank ->
            (0..15).each { int pcr -> if (doc[bank][pcr as String] != null) assert doc[bank][pcr as String] == guest.pcrs[bank][pcr]: "${bank} PCR ${pcr}" }
            def d = Cli.run('eventlog', 'diff', guest.logFile.toString(), predicted.toString(), '--bank', bank)
            assert d.exitCode in [0, 1]: d.toString()
            assert (d.exitCode == 0) == d.out.contains('no differences'): d.toString()
            d.out.readLines().findAll { it ==~ /PCR\d+ event \d+:/ }*.replaceAll(/:$/, '')
        }
        assert differing[0] == differing[1]
        differing[0].each { assert doc.missing[it.split(' ')[0].substring(3)]: "eventlog diff names ${it}, which the prediction computes" }
        differing[0]
    }

    private static void sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${out}"
    }
}
