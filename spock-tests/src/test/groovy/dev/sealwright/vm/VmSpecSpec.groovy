package dev.sealwright.vm

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.nio.file.Path

class VmSpecSpec extends Specification {
    @TempDir Path dir

    def "a VmSpec survives its JSON form unchanged (the form measure steps read)"() {
        given:
        def spec = VmSpec.builder().firmware(Path.of('/fw/OVMF.fd')).kernel(Path.of('/k')).initrd(Path.of('/i'))
                .cmdline('console=ttyS0').cpus(4).memory('2G').forward('2222:22').disk(Path.of('/d.img')).tee('snp')
                .snp(SnpOptions.DEFAULT.withCbitpos(47).withPolicy(0x30000L)).build()

        when:
        def json = spec.toJson()
        def back = VmSpec.fromJson(json, 'vm.json')

        then:
        back == spec
        back.boot() == VmSpec.Boot.DIRECT
        back.memoryMiB() == 2048
        back.nics() == 1
        json.contains('"firmware" : "/fw/OVMF.fd"')
        back.toJson() == json
    }

    def "one JSON form: a #tee VM (tdx: with the full topology, root ports, virtio disks and NIC) round-trips in snake_case"() {
        when:
        def json = spec.toJson()
        def back = VmSpec.fromJson(json, 'vm.json')
        def tree = new groovy.json.JsonSlurper().parseText(json)

        then: 'the same value, the same bytes'
        back == spec
        back.toJson() == json

        and: 'the keys are the snake_case ones every --json document uses (listed here, not taken from the code)'
        tree.keySet() as List == keys
        nested(tree).every { it ==~ /[a-z0-9]+(_[a-z0-9]+)*/ }

        and: 'docs/schemas/vm.schema.json, checked by python3-jsonschema, takes it and refuses the old camelCase key'
        JsonSchemas.validate(Repo.path('docs/schemas/vm.schema.json'), json).with { assert it.exit == 0: it.out; true }
        JsonSchemas.validate(Repo.path('docs/schemas/vm.schema.json'), json.replace('"memory_mib"', '"memoryMiB"')).exit != 0

        where:
        tee    | spec           || keys
        'tdx'  | tdxSpec()      || ['firmware', 'boot', 'kernel', 'initrd', 'cmdline', 'cpus', 'memory_mib', 'disks', 'nics', 'forwards', 'vtpm', 'tpm_device', 'tee', 'tdx', 'topology']
        'snp'  | snpSpec()      || ['firmware', 'boot', 'kernel', 'cmdline', 'cpus', 'memory_mib', 'disks', 'nics', 'forwards', 'vtpm', 'tpm_device', 'tee', 'snp']
        'none' | vtpmSpec()     || ['firmware', 'vars', 'boot', 'boot_disk', 'cpus', 'memory_mib', 'disks', 'nics', 'forwards', 'vtpm', 'tpm_state', 'tpm_device', 'tee']
    }

    def "the nested records write snake_case too: tdx, snp, topology devices, forwards"() {
        when:
        def tdx = new groovy.json.JsonSlurper().parseText(tdxSpec().toJson())
        def snp = new groovy.json.JsonSlurper().parseText(snpSpec().toJson())

        then:
        tdx.tdx == [quote_generation_socket: 'unix:/run/qgs.sock']
        tdx.forwards == [[host_port: 2222, guest_port: 22]]
        tdx.topology.keySet() == ['machine', 'machine_options', 'globals', 'devices'] as Set
        tdx.topology.devices*.kind as Set == ['ROOT_PORT', 'VIRTIO_BLK', 'VIRTIO_NET'] as Set
        tdx.topology.devices.find { it.id == 'virtio-disk0' } == [kind: 'VIRTIO_BLK', id: 'virtio-disk0', bus: 'pci.1', slot: 0, function: 0, boot_index: 1, index: 0]
        snp.snp.keySet() == ['policy', 'cbitpos', 'reduced_phys_bits', 'kernel_hashes', 'id_block', 'id_auth', 'author_key_enabled', 'host_data', 'cpu_model'] as Set
        snp.snp.host_data == Base64.encoder.encodeToString(new byte[32])
    }

    def "reading a VM description refuses an unknown key with one line naming the file and the key: #key"() {
        given:
        def tree = new groovy.json.JsonSlurper().parseText(tdxSpec().toJson())
        edit(tree)

        when:
        VmSpec.fromJson(groovy.json.JsonOutput.toJson(tree), '/run/out/guest/vm.json')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("/run/out/guest/vm.json: unknown key '${key}'")
        !e.message.contains('\n')

        where:
        key                               | edit
        'memoryMiB'                       | { Map t -> t.memoryMiB = t.remove('memory_mib') }      // the old camelCase form
        'tdx.quoteGenerationSocket'       | { Map t -> t.tdx = [quoteGenerationSocket: 'none'] }
        'topology.devices[1].bootIndex'   | { Map t -> t.topology.devices[1].bootIndex = 3 }
        'forwards[0].hostPort'            | { Map t -> t.forwards[0].hostPort = 1 }
    }

    def "a bad value or malformed JSON in a VM description is one line naming the file"() {
        when:
        VmSpec.fromJson(text, 'vm.json')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('vm.json: ')
        e.message.contains(message)
        !e.message.contains('\n')

        where:
        text                                                                  || message
        '{"firmware": "/f", "kernel": "/k", "cpus": 0, "memory_mib": 512}'    || 'cpus 0 is not in 1..288'
        '{"firmware": "/f", "kernel": "/k", "memory_mib": 512'                || 'invalid JSON at line 1'
    }

    private static Object nested(Object json) {
        json instanceof Map ? ((Map) json).collectMany { k, v -> [k] + nested(v) } : json instanceof List ? ((List) json).collectMany { nested(it) } : []
    }

    private static VmSpec tdxSpec() {
        VmSpec.builder().firmware(Path.of('/fw/OVMF.fd')).kernel(Path.of('/k')).initrd(Path.of('/i')).cmdline('console=ttyS0')
                .cpus(2).memory('2G').disk(Path.of('/d0.img')).disk(Path.of('/d1.img')).forward('2222:22').tee('tdx')
                .tdx(new TdxOptions('unix:/run/qgs.sock')).topology(MachineTopology.ubuntu2404Td(2)).build()
    }

    private static VmSpec snpSpec() {
        String b64 = Base64.encoder.encodeToString(new byte[32])
        VmSpec.builder().firmware(Path.of('/fw/OVMF.fd')).kernel(Path.of('/k')).cmdline('').cpus(4).tee('snp')
                .snp(new SnpOptions(0x30000L, 47, 1, false, Base64.encoder.encodeToString(new byte[96]), Base64.encoder.encodeToString(new byte[1000]), true, b64, 'EPYC-Milan')).build()
    }

    private static VmSpec vtpmSpec() {
        VmSpec.builder().firmware(Path.of('/fw/CODE.fd')).vars(Path.of('/fw/VARS.fd')).bootDisk(Path.of('/disk.img')).vtpm(true)
                .tpmState(Path.of('/tpm')).tpmDevice(VmSpec.TpmDevice.TIS).memory('1G').build()
    }

    def "memory sizes are read as QEMU reads -m (default unit MiB)"() {
        expect:
        VmSpec.parseMemory(text) == mib

        where:
        text    || mib
        '512'   || 512
        '512M'  || 512
        '2G'    || 2048
        '2g'    || 2048
        '2GiB'  || 2048
        '1T'    || 1024 * 1024
        '4096K' || 4
    }

    def "bad VM descriptions are refused with one line naming what is wrong"() {
        when:
        build()

        then:
        def e = thrown(RecipeException)
        e.message.contains(message)
        !e.message.contains('\n')

        where:
        build                                                                                                      || message
        ({ -> VmSpec.builder().kernel(Path.of('/k')).build() })                                                      || 'firmware is required'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).build() })                                                    || 'give a kernel (direct boot), a uki (ESP boot) or a bootDisk'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).uki(Path.of('/u')).bootDisk(Path.of('/d')).build() })         || 'either a bootDisk (disk image boot) or a uki, not both'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).bootDisk(Path.of('/d')).cmdline('x').build() })               || 'a boot disk carries its own'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).bootDisk(Path.of('/d')).tpmState(Path.of('/t')).build() })    || 'tpmState is the vTPM\'s starting state; it needs vtpm'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).uki(Path.of('/u')).build() })           || 'not both'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).uki(Path.of('/u')).cmdline('x').build() })                    || 'a UKI carries its own'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).cpus(0).build() })                      || 'cpus 0 is not in 1..288'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).cpus(289).build() })                    || 'cpus 289 is not in 1..288'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).memory('0').build() })                  || 'memory 0 MiB is not in 32 MiB..4 TiB'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).memory('2X').build() })                 || "memory '2X' is not a size like 512M or 2G"
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).memory('1.5G').build() })               || "memory '1.5G' is not a size"
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).memory('1000K').build() })              || 'not a whole number of MiB'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).forward('70000:22').build() })          || 'host port 70000 is not in 1..65535'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).forward('ssh').build() })               || "forward 'ssh' is not HOSTPORT:GUESTPORT"
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).forward('22').forward('22:2').build() }) || 'host port 22 is forwarded twice'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).forward('0:22').build() })              || "forward '0:22' is not HOSTPORT:GUESTPORT or auto:GUESTPORT"
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).forward('auto:0').build() })            || 'guest port 0 is not in 1..65535'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).tee('sev').build() })                   || "unknown tee 'sev'"
        ({ -> VmSpec.builder().firmware(Path.of('/f')).vars(Path.of('/v')).kernel(Path.of('/k')).tee('tdx').build() }) || 'loads the firmware with -bios'
        ({ -> VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).tee('snp').vtpm(true).build() })        || 'vtpm (swtpm) is not supported with tee snp'
        ({ -> SnpOptions.DEFAULT.withIdBlock(Base64.encoder.encodeToString(new byte[95]), null, false) })            || 'id-block is 95 bytes; QEMU takes exactly 96'
        ({ -> SnpOptions.DEFAULT.withHostData('not base64!') })                                                      || 'host-data is not base64'
        ({ -> new TdxOptions('tcp:1.2.3.4:4050') })                                                                  || 'is not vsock:CID:PORT, unix:PATH or none'
    }

    def "auto host ports: chosen free on loopback when the VM is launched, distinct, and the command line only ever sees real ports"() {
        given:
        def spec = VmSpec.builder().firmware(Path.of('/f')).kernel(Path.of('/k')).forward('auto:24516').forward('auto:22').forward('2222:23').build()

        when:
        def chosen = spec.withFreeHostPorts()
        def held = chosen.forwards().take(2).collect { new ServerSocket(it.hostPort(), 1, InetAddress.getLoopbackAddress()) }   // they were free

        then:
        spec.forwards()*.toString() == ['auto:24516', 'auto:22', '2222:23']
        chosen.forwards()*.guestPort() == [24516, 22, 23]
        chosen.forwards()[2].hostPort() == 2222
        chosen.forwards().take(2).every { !it.auto() && it.hostPort() > 0 }
        chosen.forwards()[0].hostPort() != chosen.forwards()[1].hostPort()
        VmSpec.fromJson(chosen.toJson(), 'vm.json') == chosen
        chosen.withFreeHostPorts().is(chosen)

        when: 'an unresolved spec never reaches a QEMU command line'
        spec.forwards()[0].hostfwd()

        then:
        thrown(IllegalStateException)

        cleanup:
        held*.close()
    }

    def "CLI: bad input is refused before QEMU starts, as one line: exit 1 for a file, a usage error (exit 2) naming the option for a bad value"() {
        given:
        def fw = dir.resolve('OVMF.fd')
        Files.write(fw, new byte[4096])
        def k = dir.resolve('vmlinuz')
        Files.write(k, new byte[4096])
        def runDir = dir.resolve('run')
        def argv = ['launch', '--run-dir', runDir.toString()] + args.collect { it.replace('@FW', fw.toString()).replace('@K', k.toString()).replace('@DIR', dir.toString()) }

        when:
        def r = Cli.run(argv as String[])

        then:
        r.exitCode == exit
        r.err.trim().readLines().size() == (exit == 2 ? 2 : 1)      // a usage error adds "try: sealwright launch --help"
        r.err.readLines()[0].contains(message.replace('@DIR', dir.toString()))
        !Files.exists(runDir.resolve('qemu.argv'))

        where:
        args                                                                  || exit | message
        ['--kernel', '@K']                                                    || 1    | 'the VM needs --firmware'
        ['--firmware', '@DIR/missing.fd', '--kernel', '@K']                   || 1    | '@DIR/missing.fd: no such file (firmware)'
        ['--firmware', '@FW', '--kernel', '@DIR/no-kernel']                   || 1    | '@DIR/no-kernel: no such file (kernel)'
        ['--firmware', '@FW', '--kernel', '@K', '--initrd', '@DIR/no-initrd'] || 1    | '@DIR/no-initrd: no such file (initrd)'
        ['--firmware', '@FW', '--kernel', '@K', '--memory', '2X']             || 2    | "sealwright: --memory: memory '2X' is not a size like 512M or 2G"
        ['--firmware', '@FW', '--kernel', '@K', '--memory', '16M']            || 2    | 'sealwright: --memory: vm: memory 16 MiB is not in 32 MiB..4 TiB'
        ['--firmware', '@FW', '--kernel', '@K', '--cpus', '0']                || 2    | 'sealwright: --cpus: vm: cpus 0 is not in 1..288'
        ['--firmware', '@FW', '--kernel', '@K', '--tee', 'sev']               || 2    | "sealwright: --tee: unknown tee 'sev'"
        ['--firmware', '@FW', '--kernel', '@K', '--forward', 'ssh:22']        || 2    | "sealwright: --forward: forward 'ssh:22' is not HOSTPORT:GUESTPORT"
    }

    def "CLI: a host port already in use is refused before QEMU starts"() {
        given:
        def fw = dir.resolve('OVMF.fd')
        Files.write(fw, new byte[4096])
        def busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())
        def runDir = dir.resolve('run')

        when:
        def r = Cli.run('launch', '--firmware', fw.toString(), '--kernel', fw.toString(), '--forward', "${busy.localPort}:22".toString(),
                '--run-dir', runDir.toString())

        then:
        r.exitCode == 1
        r.err.contains("forward ${busy.localPort}:22: host port ${busy.localPort} is already in use")
        r.err.trim().readLines().size() == 1
        !Files.exists(runDir.resolve('qemu.argv'))

        cleanup:
        busy?.close()
    }
}
