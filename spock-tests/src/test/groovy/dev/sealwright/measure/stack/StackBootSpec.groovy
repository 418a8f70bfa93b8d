package dev.sealwright.measure.stack

import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import dev.sealwright.testkit.VtpmGuest
import dev.sealwright.tools.Tools
import dev.sealwright.vm.HostCapabilities
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
 * (trixie) from the ESP the Launch component writes, with and without Secure Boot, and a kernel
 * directly (-kernel/-initrd/-append). Each guest prints its TCG2 event log and PCRs 0-23 in both
 * banks (testkit VtpmGuest); the log must replay to them, `measure vtpm` (the guest's log as
 * --reference-log for PCRs 0 and 1 only) must equal every PCR it computes, `eventlog diff` must report
 * no difference in either bank, and `measure tdx` with the same release's OVMF.fd must predict, for
 * RTMR1 and RTMR2, the events this log holds in PCRs 2-6 and 9 (11). Seven boots, one per feature.
 * The stacks come from .ci/fetch-stack (pinned .deb sha256).
 */
class StackBootSpec extends Specification {
    static final String CMDLINE = 'console=ttyS0 panic=-1'

    /** TCG on a loaded 2-core machine: a boot takes 1-3 minutes. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(600)

    @Shared @TempDir Path work
    @Shared Path initrd, kernel, key, cert, CODE, VARS, SB_CODE, SB_VARS

    def setupSpec() {
        ['swtpm', 'busybox', 'cpio', 'openssl', 'sbsign', 'sgdisk', 'mkfs.fat', 'mcopy', 'pesign'].each { Repo.requireTool(it) }
        kernel = Kernels.debian().vmlinuz()
        (CODE, VARS) = [Stack.ovmf2025('OVMF_CODE_4M.fd'), Stack.ovmf2025('OVMF_VARS_4M.fd')]
        (SB_CODE, SB_VARS) = [Stack.ovmf2025('OVMF_CODE_4M.snakeoil.fd'), Stack.ovmf2025('OVMF_VARS_4M.snakeoil.fd')]
        initrd = VtpmGuest.dumpingInitrd(work)
        Path snakeoil = Stack.ovmf2025('../ovmf/PkKek-1-snakeoil.key')
        key = work.resolve('snakeoil.key')
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rw-------')))
        sh('openssl', 'rsa', '-in', snakeoil.toString(), '-passin', 'pass:snakeoil', '-out', key.toString())
        cert = Stack.ovmf2025('../ovmf/PkKek-1-snakeoil.pem')
    }

    def "stub 257 UKI with .ucode .pcrpkey .pcrsig .profile, no Secure Boot: every PCR measure vtpm computes equals the guest's, eventlog diff is clean, measure tdx maps onto the log"() {
        when:
        def uki = buildUki('257', Stack.stub('257.13'), true, true, true)
        def guest = boot('s257', CODE, VARS, uki)

        then: 'PCR 9: the initrd is .ucode, .initrd and cpios of .pcrsig .pcrpkey .osrel .profile, each padded to 4 bytes'
        guest.replays()
        guest.predictionAgrees(CODE, VARS, uki, false)
        and: 'PCR 11: .linux .osrel .cmdline .initrd .ucode .uname .sbat .pcrpkey .profile; PCR 4: the inner kernel after the UKI'
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.ucode', '.uname', '.sbat', '.pcrpkey', '.profile']
        innerKernelLogged(guest)
        and: 'the TDX prediction from the same release\'s OVMF.fd: RTMR1 = PCR 2-6 (one separator), RTMR2 = the stub sections (PCR 11) and PCR 9'
        guest.tdxEventsMatch(measureTdx(uki), true, true)
    }

    def "stub 257 UKI with .profile under Secure Boot (snakeoil): every computed PCR equals the guest's, eventlog diff is clean"() {
        when:
        def uki = sign(buildUki('257p', Stack.stub('257.13'), false, false, true))
        def guest = boot('s257sb', SB_CODE, SB_VARS, uki)

        then:
        guest.console.any { it.contains('Secure boot enabled') }
        guest.replays()
        guest.predictionAgrees(SB_CODE, SB_VARS, uki, true)
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.uname', '.sbat', '.profile']
        !innerKernelLogged(guest)
    }

    def "stub 254 UKI with .pcrpkey .pcrsig under Secure Boot (snakeoil): every computed PCR equals the guest's, eventlog diff is clean"() {
        when:
        def uki = sign(buildUki('254', Stack.stub('254.26'), true, false, false))
        def guest = boot('s254sb', SB_CODE, SB_VARS, uki)

        then: 'PCR 9: the initrd is .initrd padded to 4 bytes, then cpios of .pcrsig and .pcrpkey'
        guest.console.any { it.contains('Secure boot enabled') }
        guest.replays()
        guest.predictionAgrees(SB_CODE, SB_VARS, uki, true)
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.uname', '.sbat', '.pcrpkey']
        !innerKernelLogged(guest)
    }

    def "stub 254 UKI, no Secure Boot: every computed PCR equals the guest's, eventlog diff is clean, measure tdx maps onto the log"() {
        when:
        def uki = buildUki('254p', Stack.stub('254.26'), false, false, false)
        def guest = boot('s254', CODE, VARS, uki)

        then:
        guest.replays()
        guest.predictionAgrees(CODE, VARS, uki, false)
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd', '.uname', '.sbat']
        innerKernelLogged(guest)
        and: 'stub 254 measures to the TPM only: RTMR2 holds PCR 9\'s events alone'
        guest.tdxEventsMatch(measureTdx(uki), false, true)
    }

    def "stub 252 UKI, no Secure Boot: every computed PCR equals the guest's, eventlog diff is clean, measure tdx maps onto the log"() {
        when:
        def uki = buildUki('252', Repo.requireTool('systemd-stub'), false, false, false)
        def guest = boot('s252', CODE, VARS, uki)

        then:
        guest.replays()
        guest.predictionAgrees(CODE, VARS, uki, false)
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd']
        innerKernelLogged(guest)
        guest.tdxEventsMatch(measureTdx(uki), false, true)
    }

    def "stub 252 UKI under Secure Boot (snakeoil): every computed PCR equals the guest's, eventlog diff is clean"() {
        when:
        def uki = sign(buildUki('252sb', Repo.requireTool('systemd-stub'), false, false, false))
        def guest = boot('s252sb', SB_CODE, SB_VARS, uki)

        then:
        guest.console.any { it.contains('Secure boot enabled') }
        guest.replays()
        guest.predictionAgrees(SB_CODE, SB_VARS, uki, true)
        stubEvents(guest) == ['.linux', '.osrel', '.cmdline', '.initrd']
        !innerKernelLogged(guest)
    }

    def "direct kernel boot (-kernel -initrd -append): PCR 4 holds the kernel as built (QEMU 10.0 serves OVMF 2025.02 the unpatched etc/boot/kernel), and measure tdx --profile qemu-10 predicts the log's PCR 2-6 / PCR 9 events"() {
        when:
        def guest = VtpmGuest.launch('direct', VmSpec.builder().firmware(CODE).vars(VARS).kernel(kernel).initrd(initrd).cmdline(CMDLINE)
                .vtpm(true).cpus(1).memory('1G').build(), qemu10(), work.resolve('run-direct'), BOOT_TIMEOUT)
        def image = guest.log.events().find { it.index() == 4 && it.typeName() == 'EV_EFI_BOOT_SERVICES_APPLICATION' }

        then:
        guest.replays()
        and: 'the Authenticode digest pesign computes for the kernel file: no setup-header patch (QEMU 7.2 + OVMF 2022.11 patch it, DirectBootLogSpec)'
        'hash: ' + image.digestHex(HashAlg.SHA256) in sh('pesign', '-h', '-i', kernel.toString()).readLines()*.trim()
        and: 'profile qemu-10 (edk2 >= stable202411, no header patch): RTMR1 = PCR 2-6, RTMR2 = PCR 9'
        guest.tdxEventsMatch(measureTdx('qemu-10', '--kernel', kernel.toString(), '--initrd', initrd.toString(), '--cmdline', CMDLINE), false, true)
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

    /** Boots {@code image} from the ESP launch writes, under QEMU 10.0 (first on the search path) with a vTPM. */
    private VtpmGuest boot(String name, Path code, Path vars, Path image) {
        VtpmGuest.launch(name, VmSpec.builder().firmware(code).vars(vars).uki(image).vtpm(true).cpus(1).memory('1G').build(),
                qemu10(), work.resolve("run-${name}"), BOOT_TIMEOUT)
    }

    private static Tools qemu10() {
        def tools = new Tools().withSearchPath(Stack.qemu10Bin().toString() + File.pathSeparator + System.getenv('PATH'))
        assert HostCapabilities.detect(tools).qemuVersion().toString().startsWith('10.0')
        tools
    }

    /** `measure tdx --json` with trixie's OVMF.fd (2025.02, the same edk2 as the pflash images) for a 1 GiB VM, profile ubuntu-25.04. */
    private static Map measureTdx(Path uki) {
        measureTdx('ubuntu-25.04', '--uki', uki.toString())
    }

    private static Map measureTdx(String profile, String... boot) {
        def r = Cli.run((['measure', 'tdx', '--firmware', Stack.ovmf2025('../ovmf/OVMF.fd').toString(), '--memory', '1G', '--profile', profile, '--json'] + boot.toList()) as String[])
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    /** The section names of the stub's PCR 11 events (each logged twice: name, then contents). */
    private static List<String> stubEvents(VtpmGuest guest) {
        def names = guest.log.events().findAll { it.index() == 11 }.collect { new String(it.data(), 'UTF-16LE').replace('\0', '') }
        assert names.size() % 2 == 0 && (0..<names.size()).step(2).every { names[it] == names[it + 1] }
        (0..<names.size()).step(2).collect { names[it] }
    }

    /** Whether PCR 4 holds a second EV_EFI_BOOT_SERVICES_APPLICATION (the inner kernel, after the UKI). */
    private static boolean innerKernelLogged(VtpmGuest guest) {
        guest.log.events().count { it.index() == 4 && it.typeName() == 'EV_EFI_BOOT_SERVICES_APPLICATION' } == 2
    }

    private static String sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${out}"
        out
    }
}
