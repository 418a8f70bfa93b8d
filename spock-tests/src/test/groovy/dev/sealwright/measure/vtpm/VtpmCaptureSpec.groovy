package dev.sealwright.measure.vtpm

import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.capture.CapturedTpmProfile
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import dev.sealwright.testkit.VtpmGuest
import dev.sealwright.tools.Tools
import dev.sealwright.vm.VmSpec
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * {@code measure capture --vtpm} then {@code measure vtpm --profile FILE}, against real boots: the
 * capture boots launch's vTPM shape (OVMF pflash + swtpm, its own capture UKI from the ESP) and keeps
 * the firmware's PCR 0/1 events; then the same shape boots again through the Launch component with a
 * different UKI (stub 252, testkit VtpmGuest: the guest prints its PCRs and TPM log), and every PCR
 * 0-9, 11-15 that measure vtpm predicts with the profile must equal the guest's in both banks, with
 * nothing but PCR 10 left uncomputed. Two boots per stack: Debian's QEMU 7.2 + OVMF 2022.11 (where the
 * captured PCR 0/1 must also equal the modelled ones) and QEMU 10.0.2 + OVMF 2025.02, whose PCR 0/1
 * layout is not modelled (without the profile they are not computed).
 */
class VtpmCaptureSpec extends Specification {
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(600)
    static final String CMDLINE = 'console=ttyS0 panic=-1'

    @Shared @TempDir Path work
    @Shared Path uki

    def setupSpec() {
        ['swtpm', 'busybox', 'cpio', 'sgdisk', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        Path stub = Repo.requireTool('systemd-stub')
        Path kernel = Kernels.debian().vmlinuz()
        uki = work.resolve('guest.efi')
        Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(stub), Files.readAllBytes(kernel),
                Files.readAllBytes(VtpmGuest.dumpingInitrd(work)), CMDLINE, '6.12-test', 'ID=test\n'), 'guest'))
    }

    def "QEMU 7.2 + OVMF 2022.11: the captured PCR 0/1 equal the modelled ones, and measure vtpm --profile equals a real boot of the same shape"() {
        given:
        Path code = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
        Path vars = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
        Path profile = capture('q72', 'qemu-system-x86_64', code, vars)

        when:
        def guest = VtpmGuest.launch('capture-q72', VmSpec.builder().firmware(code).vars(vars).uki(uki).vtpm(true).cpus(2).memory('1G').build(),
                new Tools(), work.resolve('run-q72'), BOOT_TIMEOUT)
        def withProfile = predict(code, vars, guest, '--profile', profile.toString())
        def modelled = predict(code, vars, guest)

        then:
        guest.replays()
        agrees(withProfile, guest)
        ['sha256', 'sha384'].every { bank -> ['0', '1'].every { modelled[bank][it] == guest.pcrs[bank][it as int] } }
    }

    def "QEMU 10.0.2 + OVMF 2025.02 (PCR 0/1 layout not modelled): measure vtpm --profile equals a real boot of the same shape"() {
        given:
        Path code = Stack.ovmf2025('OVMF_CODE_4M.fd')
        Path vars = Stack.ovmf2025('OVMF_VARS_4M.fd')
        Path profile = capture('q10', Stack.qemu10Bin().resolve('qemu-system-x86_64').toString(), code, vars)
        def tools = new Tools().withSearchPath(Stack.qemu10Bin().toString() + File.pathSeparator + System.getenv('PATH'))

        when:
        def guest = VtpmGuest.launch('capture-q10', VmSpec.builder().firmware(code).vars(vars).uki(uki).vtpm(true).cpus(2).memory('1G').build(),
                tools, work.resolve('run-q10'), BOOT_TIMEOUT)
        String version = [Stack.qemu10Bin().resolve('qemu-system-x86_64').toString(), '--version'].execute().text.readLines()[0]
        def withProfile = predict(code, vars, guest, '--profile', profile.toString(), '--qemu-version', version)
        def modelled = predict(code, vars, guest)

        then:
        guest.replays()
        agrees(withProfile, guest)
        modelled.missing.keySet() == ['0', '1', '10'] as Set
        modelled.missing['0'][0].contains('is not modelled')
    }

    def "a profile is refused in one line for another shape, firmware, vars template or QEMU release, beside --reference-log or a uefi-config, and when it is not a vTPM profile"() {
        given:
        Path code = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
        Path vars = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
        Path profile = work.resolve('q72.json')
        if (!Files.exists(profile)) capture('q72', 'qemu-system-x86_64', code, vars)
        def base = ['measure', 'vtpm', '--firmware-code', code.toString(), '--firmware-vars', vars.toString(), '--uki', uki.toString(), '--profile', profile.toString()]
        Path tdxProfile = work.resolve('tdx.json')
        Files.writeString(tdxProfile, '{"format": "sealwright-captured-profile/1"}')

        when:
        def cpus = Cli.run(*(base + ['--cpus', '1', '--memory', '1G']))
        def memory = Cli.run(*(base + ['--cpus', '2', '--memory', '2G']))
        def firmware = Cli.run('measure', 'vtpm', '--firmware-code', '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '--firmware-vars', vars.toString(),
                '--uki', uki.toString(), '--profile', profile.toString(), '--cpus', '2', '--memory', '1G')
        def both = Cli.run(*(base + ['--cpus', '2', '--memory', '1G', '--reference-log', profile.toString()]))
        def notVtpm = Cli.run('measure', 'vtpm', '--firmware-code', code.toString(), '--firmware-vars', vars.toString(), '--uki', uki.toString(), '--profile', tdxProfile.toString())
        def vtpmOptions = Cli.run('measure', 'capture', '--vtpm', '--firmware', code.toString(), '--out', work.resolve('x.json').toString())
        def shape = ['--cpus', '2', '--memory', '1G']
        def otherVars = Cli.run('measure', 'vtpm', '--firmware-code', code.toString(), '--firmware-vars', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', '--uki', uki.toString(),
                '--profile', profile.toString(), *shape)
        def otherQemu = Cli.run(*(base + shape + ['--qemu-version', '10.0.2']))
        def sameQemu = Cli.run(*(base + shape + ['--qemu-version', '7.2.' + hostQemu().find(/version 7\.2\.(\d+)/) { it[1] }]))
        def badQemu = Cli.run(*(base + shape + ['--qemu-version', 'seven']))
        Path config = work.resolve('uefi-config.json')
        if (!Files.exists(config)) assert Cli.run('uefi', 'config', '--vars', vars.toString(), '-o', config.toString()).exitCode == 0
        def uefiConfig = Cli.run('measure', 'vtpm', '--firmware-code', code.toString(), '--uefi-config', config.toString(), '--uki', uki.toString(),
                '--profile', profile.toString(), *shape)
        Path v1 = work.resolve('v1.json')
        Files.writeString(v1, Files.readString(profile).replace('sealwright-captured-vtpm/2', 'sealwright-captured-vtpm/1'))
        def oldFormat = Cli.run(*(base.collect { it == profile.toString() ? v1.toString() : it } + shape))

        then:
        [cpus, memory, firmware, both, notVtpm, otherVars, otherQemu, badQemu, uefiConfig, oldFormat].every { it.exitCode == 1 && it.err.trim().lines().count() == 1 }
        cpus.err.contains('PCR 0/1 captured for firmware ' + Files.readString(profile).find(/[0-9a-f]{64}/).substring(0, 12) + ', 2 vCPUs, 1024 MiB, esp boot; the VM has')
        cpus.err.contains('1 vCPUs, 1024 MiB, esp boot (capture that shape)')
        memory.err.contains('2 vCPUs, 2048 MiB, esp boot (capture that shape)')
        !firmware.err.contains('the VM has firmware ' + Files.readString(profile).find(/[0-9a-f]{64}/).substring(0, 12))
        firmware.err.contains('(capture that shape)')
        both.err.contains('a captured profile and a reference log both give PCR 0 and 1; pass one')
        notVtpm.err.contains("${tdxProfile}: not a captured vTPM profile (format is not sealwright-captured-vtpm/2")
        and: 'the profile records the vars template (its SHA-256, as sha256sum prints it) and the QEMU it was captured on'
        def json = new JsonSlurper().parse(profile.toFile()) as Map
        json['vars-sha256'] == sha256sum(vars)
        json.qemu == hostQemu()
        otherVars.err.contains("PCR 0/1 captured with the vars template ${sha256sum(vars).substring(0, 12)}; the VM starts from /usr/share/OVMF/OVMF_VARS_4M.ms.fd (${sha256sum(Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')).substring(0, 12)}) (capture with that template)")
        otherQemu.err.contains('PCR 0/1 captured on QEMU 7.2.') && otherQemu.err.contains("(${hostQemu()}); the VM's QEMU is 10.0.2 (capture on that QEMU")
        sameQemu.exitCode == 0
        badQemu.err.contains("qemuVersion: cannot read a QEMU version from 'seven'")
        uefiConfig.err.contains('a captured profile holds for the vars template it was captured with; give that file')
        oldFormat.err.contains('version 1 did not record the vars template')
        vtpmOptions.exitCode == 2
        vtpmOptions.err.contains('--vtpm needs --firmware-vars')
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** measure capture --vtpm of the shape the guests boot (2 vCPUs, 1 GiB, ESP boot). */
    private Path capture(String name, String qemu, Path code, Path vars) {
        Path out = work.resolve("${name}.json")
        def r = Cli.run('measure', 'capture', '--vtpm', '--qemu', qemu, '--firmware', code.toString(), '--firmware-vars', vars.toString(),
                '--cpus', '2', '--memory', '1G', '--out', out.toString())
        assert r.exitCode == 0: r.toString()
        assert r.out.contains('captured PCR 0/1 of a esp boot on QEMU emulator version')
        def p = CapturedTpmProfile.read(out)
        assert p.eventLog(out.toString()).events().every { it.index() in [0L, 1L] }
        out
    }

    /** The first line of the host QEMU's --version (what the capture records). */
    private static String hostQemu() {
        ['qemu-system-x86_64', '--version'].execute().text.readLines()[0].strip()
    }

    /** SHA-256 of a file as coreutils' sha256sum prints it. */
    private static String sha256sum(Path file) {
        def p = ['sha256sum', file.toString()].execute()
        String out = p.text
        assert p.waitFor() == 0
        out.split(/\s+/)[0]
    }

    /** measure vtpm --json for the guest's shape, with its ESP disk for PCR 5. */
    private Map predict(Path code, Path vars, VtpmGuest guest, String... extra) {
        def r = Cli.run(*(['measure', 'vtpm', '--firmware-code', code.toString(), '--firmware-vars', vars.toString(), '--uki', uki.toString(), '--boot-disk', guest.bootDisk.toString(), '--cpus', '2', '--memory', '1G', '--json'] + (extra as List)))
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    /** Every PCR 0-9, 11-15 predicted, equal to the guest's in both banks; only PCR 10 (IMA) not computed. */
    private static boolean agrees(Map doc, VtpmGuest guest) {
        assert doc.missing.keySet() == ['10'] as Set: "not computed: ${doc.missing}"
        ['sha256', 'sha384'].each { bank ->
            (0..15).findAll { it != 10 }.each { int pcr -> assert doc[bank][pcr as String] == guest.pcrs[bank][pcr]: "${guest.name}: ${bank} PCR ${pcr}" }
        }
        true
    }
}
