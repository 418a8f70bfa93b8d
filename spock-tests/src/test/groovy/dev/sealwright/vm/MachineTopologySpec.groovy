package dev.sealwright.vm

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.acpi.AcpiMachine
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The ubuntu-24.04 TD topology (the libvirt domain of quex-tech/td-report-web's app.mjs, described in
 * ../shared/fixtures/tdx/quex-acpi/README.md) in the QEMU argv of launch, and where the real QEMU
 * puts its devices.
 */
class MachineTopologySpec extends Specification {
    static final VmRunDir RUN = new VmRunDir(Path.of('/run/vm'))

    VmSpec td(int disks) {
        def b = VmSpec.builder().firmware(Path.of('/usr/share/ovmf/OVMF.fd')).kernel(Path.of('/boot/vmlinuz')).cpus(2).memory('2G')
                .tee('tdx').nics(1).topology(MachineTopology.ubuntu2404Td(disks))
        (0..<disks).each { b.disk(Path.of("/img/d${it}.raw")) }
        b.build()
    }

    static List<String> values(List<String> argv, String option) {
        (0..<argv.size() - 1).findAll { argv[it] == option }.collect { argv[it + 1] }
    }

    def "launch's TDX argv carries the domain's machine type, options, -global and each device's bus, address and boot index"() {
        when:
        def argv = QemuCommandLine.build(td(2), 'qemu-system-x86_64', QemuVersion.parse('8.2.2'), 'kvm', RUN)
        def devices = values(argv, '-device')

        then: 'machine pc-q35-8.2 with the README options; tdx adds confidential-guest-support; kernel_irqchip and hpet are not repeated'
        values(argv, '-machine') == ['pc-q35-8.2,usb=off,vmport=off,kernel_irqchip=split,dump-guest-core=off,hpet=off,i8042=off,smbus=off,sata=off,confidential-guest-support=tdx']
        values(argv, '-global') == ['ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off']
        and: 'one root port per disk plus a spare, at 00:02.x, the first multifunction'
        devices.findAll { it.startsWith('pcie-root-port') } == [
                'pcie-root-port,port=16,chassis=1,id=pci.1,bus=pcie.0,addr=0x2,multifunction=on',
                'pcie-root-port,port=17,chassis=2,id=pci.2,bus=pcie.0,addr=0x2.0x1',
                'pcie-root-port,port=18,chassis=3,id=pci.3,bus=pcie.0,addr=0x2.0x2']
        devices.findAll { it.startsWith('virtio-blk-pci') } == [
                'virtio-blk-pci,drive=disk0,id=virtio-disk0,bus=pci.1,addr=0x0,bootindex=1',
                'virtio-blk-pci,drive=disk1,id=virtio-disk1,bus=pci.2,addr=0x0']
        devices.findAll { it.startsWith('virtio-net-pci') } == ['virtio-net-pci,netdev=net0,id=net0,bus=pcie.0,addr=0x1']
    }

    def "a VmSpec with a topology round-trips through JSON; disk files must match the topology's disks"() {
        expect:
        VmSpec.fromJson(td(3).toJson(), 'td.json') == td(3)

        when:
        VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).disk(Path.of('/d')).topology(MachineTopology.ubuntu2404Td(2)).build()

        then:
        def e = thrown(RecipeException)
        e.message == 'vm: 1 disk files for a topology with 2 disks'
    }

    def "only the modelled topology gets generated ACPI tables; another is refused with one line"() {
        given:
        def other = new MachineTopology('pc-q35-8.2', [], [], [new PciDevice(PciDevice.Kind.VIRTIO_NET, 'net0', 'pcie.0', 3, 0, null, 0)])

        expect:
        AcpiMachine.of(MachineTopology.ubuntu2404Td(3), 2, 2L << 30).disks() == 3

        when:
        AcpiMachine.of(other, 2, 2L << 30)

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('acpi: the VM\'s machine topology is not the ubuntu-24.04 TD shape')
    }

    def "the real QEMU places the topology's devices where the ACPI model assumes them (QMP query-pci)"() {
        given: 'the topology args of launch with the machine type this QEMU has (7.2), TCG, no TD'
        def qemu = Repo.requireTool('qemu-system-x86_64')
        def argv = QemuCommandLine.build(td(3), 'x', QemuVersion.parse('8.2.2'), 'kvm', RUN)
        def place = []
        for (int i = 0; i < argv.size() - 1; i++) {
            if (argv[i] == '-global' || (argv[i] == '-device' && !argv[i + 1].startsWith('virtio-blk')) ) place += [argv[i], argv[i + 1]]
            if (argv[i] == '-device' && argv[i + 1].startsWith('virtio-blk')) place += ['-device', argv[i + 1]]
        }
        def cmd = [qemu.toString(), '-machine', MachineTopology.ubuntu2404Td(3).machineArg().replace('pc-q35-8.2', 'pc-q35-7.2'),
                   '-accel', 'tcg', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio', '-netdev', 'user,id=net0'] +
                (0..2).collectMany { ['-blockdev', "driver=null-co,node-name=disk${it}".toString()] } + place

        when:
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def bus = { String id -> '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/' + id + '","property":"parent_bus"}}\n' }
        p.outputStream.withWriter { it << '{"execute":"qmp_capabilities"}\n{"execute":"query-pci"}\n' + (0..2).collect { bus("virtio-disk$it") }.join('') + '{"execute":"quit"}\n' }
        def lines = p.inputStream.readLines()
        p.waitFor(20, TimeUnit.SECONDS)
        def pci = lines.collect { it.startsWith('{') ? new JsonSlurper().parseText(it) : null }.find { it?.return instanceof List }?.return
        def root = pci[0].devices.collect { "${it.slot}.${it.function}:${it.qdev_id}" }
        def parents = lines.collect { it.startsWith('{') ? new JsonSlurper().parseText(it) : null }.findAll { it?.return instanceof String }*.return

        then:
        root == ['0.0:', '1.0:net0', '2.0:pci.1', '2.1:pci.2', '2.2:pci.3', '2.3:pci.4', '31.0:']
        and: 'disk N sits on the bus of root port pci.N+1 (slot 0: _ADR 0 under the port in the DSDT); pci.4 is the spare'
        parents == ['/machine/peripheral/pci.1/pci.1', '/machine/peripheral/pci.2/pci.2', '/machine/peripheral/pci.3/pci.3']
    }
}
