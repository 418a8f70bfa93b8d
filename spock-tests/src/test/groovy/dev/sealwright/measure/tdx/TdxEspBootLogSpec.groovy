package dev.sealwright.measure.tdx

import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.VtpmGuest
import dev.sealwright.tools.Tools
import dev.sealwright.vm.EspImage
import dev.sealwright.vm.MachineTopology
import dev.sealwright.vm.QemuCommandLine
import dev.sealwright.vm.QemuVersion
import dev.sealwright.vm.VmRunDir
import dev.sealwright.vm.VmSpec
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * RTMR0 of a UKI booted from its ESP ({@code measure tdx --uki}, profile ubuntu-24.04) against a real
 * boot of the same firmware and device list: Debian's OVMF.fd 2022.11 ({@code -bios}) under QEMU 7.2
 * TCG with an swtpm, not as a TD, with the TD shape's machine options (pc-q35-7.2 for 8.2, smm=off as
 * in a TD) and devices as launch places MachineTopology.ubuntu2404Td(1): virtio-net at 00:01.0, the
 * ESP as virtio disk 0 behind the root port at 00:02.0 with boot index 1, a spare root port at 00:02.1.
 * edk2 measures the boot variables with the same code into PCR 1 of a TPM and into RTMR0 of a TD
 * (MapPcrToMrIndex: PCR 1 and 7 → RTMR0, 2-6 → RTMR1, 8-15 → RTMR2), so the predicted RTMR0
 * EV_EFI_VARIABLE_BOOT events must be the logged PCR 1 ones (data and digest), RTMR0's
 * SecureBoot..dbx events PCR 7's, and RTMR1/RTMR2 the log's PCR 2-6 / PCR 9 events, except one: the
 * virtio-net's option ROM driver (QEMU's efi-virtio.rom) that OVMF loads and logs in PCR 2, which the
 * prediction does not model (a TD whose NIC has a ROM would log it in RTMR1). What a non-TD boot
 * cannot show: the TD HOB, the CFV and the ACPI events (2022.11 measures ACPI only in a TD).
 * Five boots (the ESP alone; the ESP and 1, 2, 3 and 7 data disks, the last filling the shape's 8 disks, whose
 * ninth root port sits at 00:03.0), about 30-40 s each under TCG.
 */
class TdxEspBootLogSpec extends Specification {
    static final Path OVMF = Path.of('/usr/share/ovmf/OVMF.fd')
    @Shared @TempDir Path dir
    @Shared Path uki, esp
    @Shared VtpmGuest guest, withDataDisks
    @Shared Map predicted, predictedWithDataDisks

    def setupSpec() {
        ['qemu-system-x86_64', 'swtpm', 'ovmf-combined', 'systemd-stub', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        def kernel = Kernels.debian().vmlinuz()
        uki = dir.resolve('uki.efi')
        Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')),
                Files.readAllBytes(kernel), Files.readAllBytes(VtpmGuest.dumpingInitrd(dir)), 'console=ttyS0 panic=-1', 'test', 'ID=test\n'), 'stub'))
        esp = dir.resolve('esp.img')
        EspImage.write(new Tools(), uki, esp)
        guest = boot(dir.resolve('run'), 2, 2048, 0)
        predicted = measure(2, '2G', 0)
        withDataDisks = boot(dir.resolve('run-data'), 1, 1024, 2)
        predictedWithDataDisks = measure(1, '1G', 2)
    }

    Map measure(int cpus, String memory, int dataDisks) {
        def r = Cli.run('measure', 'tdx', '--firmware', OVMF.toString(), '--uki', uki.toString(), '--cpus', cpus as String, '--memory', memory,
                '--disks', dataDisks as String, '--profile', 'ubuntu-24.04', '--boot-disk', esp.toString(), '--json')
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    /**
     * The TD shape's QEMU argv as launch builds it for a VmSpec with the topology (its -global, root-port,
     * disk and NIC placement, the vTPM), run under TCG with the TD's machine options on QEMU 7.2's machine
     * type; the VmSpec's -kernel only satisfies VmSpec and is dropped: OVMF boots the ESP.
     */
    VtpmGuest boot(Path runDir, int cpus, int mib, int dataDisks) {
        Files.createDirectories(runDir)
        def topology = MachineTopology.ubuntu2404Td(1 + dataDisks)
        def b = VmSpec.builder().firmware(OVMF).kernel(uki).cpus(cpus).memoryMiB(mib).disk(esp).nics(1).vtpm(true).topology(topology)
        for (int i = 1; i <= dataDisks; i++) {
            def d = runDir.resolve("data${i}.img")
            Files.write(d, new byte[1 << 20])
            b.disk(d)
        }
        def spec = b.build()
        def run = new VmRunDir(runDir)
        List<String> launch = QemuCommandLine.build(spec, 'qemu-system-x86_64', QemuVersion.parse('7.2.0'), 'tcg', run)
        List<String> argv = []
        for (int i = 0; i < launch.size(); i++) {
            if (launch[i] == '-kernel') { i++; continue }
            if (launch[i] == '-machine') { argv << '-machine' << topology.machineArg('smm=off').replace('pc-q35-8.2', 'pc-q35-7.2'); i++; continue }
            argv << launch[i]
        }
        assert argv.any { it.contains('bus=pci.1,addr=0x0,bootindex=1') } && argv.any { it.contains('virtio-net-pci') && it.contains('bus=pcie.0,addr=0x1') }: argv.join(' ')
        Files.createDirectories(run.tpmStateDir())
        def swtpm = new ProcessBuilder('swtpm', 'socket', '--tpm2', '--tpmstate', "dir=${run.tpmStateDir()}".toString(),
                '--ctrl', "type=unixio,path=${run.tpmSocket()}".toString(), '--flags', 'startup-clear')
                .redirectErrorStream(true).redirectOutput(run.tpmLog().toFile()).start()
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
            while (!Files.exists(run.tpmSocket()) && System.nanoTime() < until) Thread.sleep(50)
            def qemu = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(run.qemuLog().toFile()).start()
            if (!qemu.waitFor(300, TimeUnit.SECONDS)) {
                qemu.destroyForcibly()
                assert false: 'the guest did not power off within 300 s: ' + Files.readString(run.serialLog()).takeRight(2000)
            }
            assert qemu.exitValue() == 0: "QEMU exited ${qemu.exitValue()}: ${Files.readString(run.qemuLog())}\n${argv.join(' ')}"
        } finally {
            swtpm.destroy()
            swtpm.waitFor()
        }
        VtpmGuest.read("tdx-esp-shape-${dataDisks}", Files.readAllLines(run.serialLog())*.trim(), runDir, esp)
    }

    private static List<List<String>> events(List evs, boolean data) {
        evs.collect { [it.type as String, it.digests.sha384 as String] + (data ? [it.data as String] : []) }
    }

    private static List<List<String>> logged(VtpmGuest guest, int pcr, String type, boolean data) {
        guest.log.events().findAll { it.index() == pcr && it.typeName() == type }
                .collect { [it.typeName(), it.digestHex(HashAlg.SHA384)] + (data ? [HexFormat.of().formatHex(it.data())] : []) }
    }

    def "the boot replays to the guest's PCRs; OVMF created BootOrder {0001, 0000, 0002}: the ESP behind the root port, UiApp, the Shell"() {
        expect:
        guest.replays()
        guest.log.events().findAll { it.index() == 1 && it.typeName() == 'EV_EFI_VARIABLE_BOOT' }*.description() ==
                ['variable BootOrder (6 bytes)', 'variable Boot0001 (84 bytes)', 'variable Boot0000 (62 bytes)', 'variable Boot0002 (88 bytes)']
    }

    def "RTMR0 is computed (nothing missing) and its boot variables are PCR 1's events, data and sha384 digest, in order"() {
        expect:
        predicted.rtmr0 ==~ /[0-9a-f]{96}/
        predicted.missing.isEmpty()
        def rtmr0 = predicted.events.findAll { it.index == 1 }
        events(rtmr0.findAll { it.type == 'EV_EFI_VARIABLE_BOOT' }, true) == logged(guest, 1, 'EV_EFI_VARIABLE_BOOT', true)
        logged(guest, 1, 'EV_EFI_VARIABLE_BOOT', false).size() == 4
    }

    def "with two data disks behind their own root ports OVMF enumerates them too: they take Boot0002 and Boot0003 and are left out of BootOrder, so the Shell is Boot0004; the prediction says the same"() {
        expect:
        withDataDisks.replays()
        withDataDisks.log.events().findAll { it.index() == 1 && it.typeName() == 'EV_EFI_VARIABLE_BOOT' }*.description() ==
                ['variable BootOrder (6 bytes)', 'variable Boot0001 (84 bytes)', 'variable Boot0000 (62 bytes)', 'variable Boot0004 (88 bytes)']
        events(predictedWithDataDisks.events.findAll { it.index == 1 && it.type == 'EV_EFI_VARIABLE_BOOT' }, true) == logged(withDataDisks, 1, 'EV_EFI_VARIABLE_BOOT', true)
        predictedWithDataDisks.missing.isEmpty()
    }

    def "with #dataDisks data disk(s) behind their own root ports (#total disks in all) the Shell is Boot#shell; the predicted boot variables equal PCR 1's events"() {
        when: 'one more boot per shape (1 vCPU, 1 GiB), each data disk a blank 1 MiB image'
        def g = boot(dir.resolve("run-data-${dataDisks}"), 1, 1024, dataDisks)
        def p = measure(1, '1G', dataDisks)

        then:
        g.replays()
        g.log.events().findAll { it.index() == 1 && it.typeName() == 'EV_EFI_VARIABLE_BOOT' }*.description() ==
                ['variable BootOrder (6 bytes)', 'variable Boot0001 (84 bytes)', 'variable Boot0000 (62 bytes)', "variable Boot${shell} (88 bytes)".toString()]
        events(p.events.findAll { it.index == 1 && it.type == 'EV_EFI_VARIABLE_BOOT' }, true) == logged(g, 1, 'EV_EFI_VARIABLE_BOOT', true)
        p.missing.isEmpty()

        where:
        dataDisks | total | shell
        1         | 2     | '0003'
        3         | 4     | '0005'
        7         | 8     | '0009'
    }

    def "where RTMR0 maps to the TPM log it equals it: SecureBoot..dbx = PCR 7; RTMR1 = PCR 2-6 but for the NIC's option ROM driver; RTMR2 = PCR 9"() {
        given: 'PCR 2-6 without separators; the one EV_EFI_BOOT_SERVICES_DRIVER is the virtio-net option ROM (QEMU efi-virtio.rom) that the prediction does not model'
        def pcr26 = guest.log.events().findAll { it.index() >= 2 && it.index() <= 6 && it.typeName() != 'EV_SEPARATOR' }
        def romDrivers = pcr26.findAll { it.typeName() == 'EV_EFI_BOOT_SERVICES_DRIVER' }

        expect:
        events(predicted.events.findAll { it.index == 1 && it.type == 'EV_EFI_VARIABLE_DRIVER_CONFIG' }, true) == logged(guest, 7, 'EV_EFI_VARIABLE_DRIVER_CONFIG', true)
        romDrivers.size() == 1 && romDrivers[0].index() == 2
        events(predicted.events.findAll { it.index == 2 && it.type != 'EV_SEPARATOR' }, false) ==
                (pcr26 - romDrivers).collect { [it.typeName(), it.digestHex(HashAlg.SHA384)] }
        events(predicted.events.findAll { it.index == 3 }, false) == guest.log.events().findAll { it.index() == 9 }.collect { [it.typeName(), it.digestHex(HashAlg.SHA384)] }
    }

    def "the prediction's RTMR0 events, in order: TD HOB, CFV, SecureBoot..dbx, separator, the three ACPI blobs, the boot variables, ReadyToBoot's separator"() {
        expect:
        predicted.events.findAll { it.index == 1 }*.type == ['EV_EFI_HANDOFF_TABLES2', 'EV_EFI_PLATFORM_FIRMWARE_BLOB2'] +
                ['EV_EFI_VARIABLE_DRIVER_CONFIG'] * 5 + ['EV_SEPARATOR'] + ['EV_PLATFORM_CONFIG_FLAGS'] * 3 + ['EV_EFI_VARIABLE_BOOT'] * 4 + ['EV_SEPARATOR']
    }
}
