package dev.sealwright.measure.vtpm

import dev.sealwright.cloud.DebianPackage
import dev.sealwright.cloud.ShimCloudDisk
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.shim.GrubBootConfig
import dev.sealwright.measure.event.BootEvent
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.VtpmGuest
import dev.sealwright.tools.Tools
import dev.sealwright.uefi.FirmwareBuild
import dev.sealwright.uefi.OvmfBootOptions
import dev.sealwright.measure.event.UefiVariableData
import dev.sealwright.vm.VmSpec
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * PCR 0, 1 and 7 of the Secure Boot builds of Debian's OVMF 2022.11 (OVMF_CODE_4M.secboot.fd, an SMM
 * build: launch enables SMM and secure pflash from its QEMU descriptor) with no reference log, against
 * real boots under QEMU 7.2 TCG with an swtpm (VmHandle, testkit VtpmGuest: the guest prints its PCRs and
 * TPM log). (a) The Microsoft store OVMF_VARS_4M.ms.fd (Secure Boot enforced): our UKI is not
 * Microsoft-signed, so the firmware would refuse it from the ESP; the kernel is booted directly
 * (-kernel: OVMF 2022.11 falls back to its legacy loader when the image fails verification). PCR 0 is the
 * modelled CRTM version and firmware volumes (PEIFV with the store's MemoryTypeInformation), PCR 1 the
 * direct-boot variables, PCR 7 SecureBoot=01 and the store's PK, KEK, db and dbx. (a') measure capture
 * --vtpm of that store: an ESP capture is refused, a direct capture holds a second boot's PCR 0/1 events.
 * (c) The same store booting Debian 12's signed shim -> GRUB -> kernel from the disk launch boots, with 2 vCPUs
 * and 1 GiB: PCR 0 and 1 are the modelled events of an ESP boot of that shape, and measure vtpm --esp-chain
 * --cpus 2 --memory 1G (and the step on that vm { }) equals every PCR 0-9, 11-15; the default shape's PCR 0 does not.
 * (b) The same code image
 * with the plain store OVMF_VARS_4M.fd (no keys: Secure Boot not enforced), a UKI from the ESP launch
 * writes: measure vtpm, without reference log or profile, equals every PCR 0-9 and 11-15 in both banks.
 * The snakeoil store with a signed UKI is VtpmBootSpec (b).
 */
class VtpmSecureBootStoreSpec extends Specification {
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(600)
    static final String CMDLINE = 'console=ttyS0 panic=-1'
    static final Path SB_CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.secboot.fd')
    static final Path MS_CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.ms.fd')
    static final Path MS_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')
    static final Path PLAIN_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
    static final List<HashAlg> BANKS = [HashAlg.SHA256, HashAlg.SHA384]

    @Shared @TempDir Path work
    @Shared Path kernel, initrd, uki

    def setupSpec() {
        ['qemu-system-x86_64', 'swtpm', 'busybox', 'cpio', 'sgdisk', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        [SB_CODE, MS_CODE, MS_VARS, PLAIN_VARS].each { assert Files.isRegularFile(it): "${it}: missing (Debian package ovmf)" }
        Path stub = Repo.requireTool('systemd-stub')
        kernel = Kernels.debian().vmlinuz()
        initrd = VtpmGuest.dumpingInitrd(work)
        uki = work.resolve('guest.efi')
        Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(stub), Files.readAllBytes(kernel), Files.readAllBytes(initrd),
                CMDLINE, '6.12-test', 'ID=test\n'), 'guest'))
    }

    def "(a) Microsoft store, Secure Boot enforced, direct kernel boot: the logged PCR 0, 1 and 7 events equal the modelled ones (digests in both banks and data)"() {
        given:
        def build = FirmwareBuild.identify(MS_CODE)
        def vars = VtpmVariables.fromVarsFile(MS_VARS)
        def pcr0 = OvmfFirmwareEvents.pcr0(build.pcr01(), Files.readAllBytes(MS_CODE), MS_CODE.toString(), 512L << 20, 1, vars.memoryTypeInformation())
        def pcr1 = OvmfBootOptions.directKernel().collect { TpmBootEvents.bootVariable(it.name(), it.value()) }
        def pcr7 = [TpmBootEvents.driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, 'SecureBoot', [1] as byte[]),
                    TpmBootEvents.driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, 'PK', vars.config().pk()),
                    TpmBootEvents.driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, 'KEK', vars.config().kek()),
                    TpmBootEvents.driverConfig(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, 'db', vars.config().db()),
                    TpmBootEvents.driverConfig(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, 'dbx', vars.config().dbx())]

        when: 'launch\'s default shape (1 vCPU, 512 MiB), a fresh copy of the Microsoft store'
        def guest = VtpmGuest.launch('ms-direct', VmSpec.builder().firmware(MS_CODE).vars(MS_VARS).kernel(kernel).initrd(initrd).cmdline(CMDLINE)
                .vtpm(true).build(), new Tools(), work.resolve('run-ms'), BOOT_TIMEOUT)

        then: 'the log is complete, and the store enrolls keys (PCR 0 then depends on its MemoryTypeInformation)'
        guest.replays()
        vars.memoryTypeInformation() != null && vars.config().pk() != null
        and:
        same(logged(guest, 0), pcr0)
        same(logged(guest, 1), pcr1)
        same(logged(guest, 7), pcr7)
    }

    def "(a') measure capture --vtpm of the Microsoft store: refused for an ESP boot (its UKI is unsigned) in one line; a direct-boot capture holds the PCR 0 and 1 events of another real boot of that shape"() {
        given:
        Path out = work.resolve('ms-direct.json')

        when:
        def esp = Cli.run('measure', 'capture', '--vtpm', '--firmware', MS_CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--out', work.resolve('ms-esp.json').toString())
        def direct = Cli.run('measure', 'capture', '--vtpm', '--boot', 'direct', '--firmware', MS_CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--out', out.toString())
        def guest = VtpmGuest.launch('ms-direct-2', VmSpec.builder().firmware(MS_CODE).vars(MS_VARS).kernel(kernel).initrd(initrd).cmdline(CMDLINE)
                .vtpm(true).build(), new Tools(), work.resolve('run-ms-2'), BOOT_TIMEOUT)
        def captured = dev.sealwright.measure.capture.CapturedTpmProfile.read(out).eventLog(out.toString()).events()

        then:
        esp.exitCode == 1 && esp.err.trim().lines().count() == 1
        esp.err.contains("enrolls a PK and OVMF_CODE_4M.ms.fd supports Secure Boot, so OVMF enforces it and would not start the capture's unsigned UKI from the ESP")
        !Files.exists(work.resolve('ms-esp.json'))
        direct.exitCode == 0
        [0, 1].each { int pcr ->
            same(captured.findAll { it.index() == pcr && it.typeName() != 'EV_SEPARATOR' }, logged(guest, pcr))
        }
        captured.count { it.typeName() == 'EV_SEPARATOR' } == 2
    }

    def "(c) Microsoft store, Secure Boot enforced, shim 16.1 -> GRUB 2.06 -> the Debian-signed kernel from a disk launch boots (the disk where launch puts a UKI's ESP), 2 vCPUs and 1 GiB: PCR 0 and 1 equal the modelled ESP-boot events of that shape, measure vtpm --esp-chain --cpus 2 --memory 1G and the step on the vm { } equal every PCR 0-9, 11-15; launch's default shape differs in PCR 0 only"() {
        given: 'Debian 12\'s signed shim and GRUB (cached packages), the kernel, this spec\'s dumping initrd'
        ['dpkg-deb', 'apt-get'].each { Repo.requireTool(it) }
        def tools = new Tools()
        Path shim = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'shim-signed', { println it }).resolve('usr/lib/shim/shimx64.efi.signed')
        Path grub = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'grub-efi-amd64-signed', { println it }).resolve('usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed')
        Path disk = work.resolve('shim-disk.img')
        ShimCloudDisk.write(tools, new ShimCloudDisk.Inputs(shim, grub, kernel, initrd, new GrubBootConfig('/boot/vmlinuz', '/boot/initrd.img', CMDLINE), null, 4), disk)
        def build = FirmwareBuild.identify(MS_CODE)
        def vars = VtpmVariables.fromVarsFile(MS_VARS)
        def pcr0 = OvmfFirmwareEvents.pcr0(build.pcr01(), Files.readAllBytes(MS_CODE), MS_CODE.toString(), 1024L << 20, 2, vars.memoryTypeInformation())
        def pcr1 = OvmfBootOptions.virtioDisk(VtpmPrediction.LAUNCH_ESP_PCI_DEVICE, true).collect { TpmBootEvents.bootVariable(it.name(), it.value()) }
        Path recipe = work.resolve('chain.groovy')
        Files.writeString(recipe, """
            pipeline('chain') {
                def shimVm = vm { firmware file('${MS_CODE}'); vars file('${MS_VARS}'); bootDisk file('${disk}'); vtpm true; cpus 2; memory '1G' }
                measure.vtpm('chain', shimVm) { espChain true; secureBoot true }
            }
        """.stripIndent())

        when: 'not launch\'s default shape (1 vCPU, 512 MiB): PCR 0 holds PlatformPei\'s memory map and CPU count'
        def guest = VtpmGuest.launch('ms-shim', VmSpec.builder().firmware(MS_CODE).vars(MS_VARS).bootDisk(disk).vtpm(true).cpus(2).memoryMiB(1024).build(),
                tools, work.resolve('run-shim'), BOOT_TIMEOUT)
        def r = Cli.run('measure', 'vtpm', '--firmware-code', MS_CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain', '--secure-boot',
                '--boot-disk', disk.toString(), '--cpus', '2', '--memory', '1G', '--json')
        assert r.exitCode == 0: r.toString()
        def doc = new JsonSlurper().parseText(r.out) as Map
        def step = Cli.run('run', recipe.toString(), '-C', work.toString())
        assert step.exitCode == 0: step.toString()
        def d = Cli.run('measure', 'vtpm', '--firmware-code', MS_CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain', '--secure-boot',
                '--boot-disk', disk.toString(), '--json')
        assert d.exitCode == 0: d.toString()
        def defaultShape = new JsonSlurper().parseText(d.out) as Map
        Path withFallback = work.resolve('shim-fallback.img')
        Files.copy(disk, withFallback)
        def espOffset = 2048 * 512   // ShimCloudDisk's ESP starts at sector 2048
        Path stand = Files.write(work.resolve('fbx64.efi'), 'MZ'.bytes)   // only its presence counts
        def mcopy = ['mcopy', '-i', "${withFallback}@@${espOffset}".toString(), stand.toString(), '::/EFI/BOOT/fbx64.efi'].execute()
        assert mcopy.waitFor() == 0: mcopy.err.text
        def f = Cli.run('measure', 'vtpm', '--firmware-code', MS_CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain', '--secure-boot',
                '--boot-disk', withFallback.toString(), '--json')
        assert f.exitCode == 0: f.toString()
        def fallback = new JsonSlurper().parseText(f.out) as Map

        then:
        guest.replays()
        guest.console.any { it.contains('secureboot: Secure boot enabled') }
        same(logged(guest, 0), pcr0)
        same(logged(guest, 1), pcr1)
        and: 'measure vtpm --esp-chain computes them too (launch\'s disk boot: the disk is the only boot device, at 00:01.0) and every other PCR but 10'
        doc.missing.keySet() == ['10'] as Set
        ['sha256', 'sha384'].each { bank ->
            ((0..15) - [10]).each { int pcr -> assert doc[bank][pcr as String] == guest.pcrs[bank][pcr]: "${bank} PCR ${pcr}" }
        }
        and: 'the step on the vm { } takes its vCPUs and memory: the bytes the verb prints'
        Files.readString(work.resolve('out/chain/expected.json')) == r.out
        and: 'predicted for launch\'s default shape instead, PCR 0 differs from the guest\'s and every other PCR is equal'
        ['sha256', 'sha384'].each { bank ->
            assert defaultShape[bank]['0'] != guest.pcrs[bank][0]
            ((1..15) - [10]).each { int pcr -> assert defaultShape[bank][pcr as String] == guest.pcrs[bank][pcr]: "${bank} PCR ${pcr}" }
        }
        and: 'with shim\'s fallback beside it on the ESP, PCR 0 and 1 are not computed, with the reason'
        fallback.missing['1'][0].contains("holds shim's fallback (\\EFI\\BOOT\\fbx64.efi), which creates boot options and resets the VM")
        fallback.missing.keySet() == ['0', '1', '10'] as Set
    }

    def "(b) the Secure Boot image with the plain store (no keys), UKI from the ESP: measure vtpm with no reference log equals every PCR 0-9, 11-15 in both banks"() {
        when:
        def guest = VtpmGuest.launch('secboot-plain', VmSpec.builder().firmware(SB_CODE).vars(PLAIN_VARS).uki(uki).vtpm(true).build(),
                new Tools(), work.resolve('run-plain'), BOOT_TIMEOUT)
        def r = Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', PLAIN_VARS.toString(), '--uki', uki.toString(),
                '--boot-disk', guest.bootDisk.toString(), '--json')
        assert r.exitCode == 0: r.toString()
        def doc = new JsonSlurper().parseText(r.out) as Map

        then:
        guest.replays()
        doc.missing.keySet() == ['10'] as Set
        ['sha256', 'sha384'].each { bank ->
            (0..15).findAll { it != 10 }.each { int pcr -> assert doc[bank][pcr as String] == guest.pcrs[bank][pcr]: "${bank} PCR ${pcr}" }
        }
        and: 'the SMM build measured SecureBoot as 00 (present, not enforced)'
        logged(guest, 7)[0].data()[-1] == 0 as byte
    }

    /** The logged events of one PCR, separators left out (the model lists the events before the separator). */
    private static List<BootEvent> logged(VtpmGuest guest, int pcr) {
        guest.log.events().findAll { it.index() == pcr && it.typeName() != 'EV_SEPARATOR' }
    }

    private static boolean same(List<BootEvent> log, List<BootEvent> model) {
        assert log*.typeName() == model*.typeName()
        BANKS.each { alg -> assert log*.digestHex(alg) == model*.digestHex(alg): alg.label() }
        assert log*.data()*.encodeHex()*.toString() == model*.data()*.encodeHex()*.toString()
        true
    }
}
