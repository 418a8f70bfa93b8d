package dev.sealwright.cli

import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Issues #16/#18: one VM description. The same TD (profile ubuntu-24.04, 2 vCPUs, 2 GiB, 0 disks, Debian's kernel booted
 * directly) is predicted three ways: the REPL, a recipe's {@code measure.tdx(vm)}, and {@code sealwright measure tdx}
 * with the CLI flags. They must give the same MRTD and RTMR0-3, and the RTMR0 ACPI/HOB events must be quex's (the peer's
 * published digests for this shape, ../shared/fixtures/tdx/quex-acpi/README.md). The recipe's {@code launch(vm)} is a
 * dry run of the same value: its QEMU argv places exactly the devices of the topology the prediction measured.
 */
class OneVmSpecSpec extends Specification {
    @Shared @TempDir
    Path dir

    static final String OVMF_TD = '/usr/share/ovmf/OVMF.fd'
    static final String CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
    static final String VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'

    /** The pipeline the recipe and the REPL declare: one vm { } value, measured and (dry-run) launched. */
    static final String PIPELINE = """\
        pipeline('td') {
            def td = vm {
                firmware file('${OVMF_TD}')
                kernel   file('vmlinuz')
                cmdline  'console=ttyS0'
                cpus     2
                memory   '2G'
                tee      'tdx'
                topology 'ubuntu-24.04'
            }
            measure.tdx('expected', td) { profile 'ubuntu-24.04' }
            launch('td', td) { dryRun true }
        }
        """.stripIndent()

    /** quex's RTMR0 event digests for 2 vCPUs / 2048 MiB / 0 disks on Debian's OVMF.fd (the fixture README's table). */
    static final Map<String, String> QUEX_RTMR0 = [
            hob   : '0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c64f323fdacbb37948f821ebaf8bc9c938ba8a749',
            loader: '811490ce793d4c3ace6b62e30fd3df22b1d2e809e34a1f10f3185df3d98fdc15d044f3b373c70b86629186e1e3e1c9af',
            rsdp  : '1ebc56ea1a55f18717ad6dabde363a463346fdd1430a9dc356017dcdbcff034ee5ddeb10104c603d8bcb13c49fcca6ce',
            tables: '32de6c1b911242e32f5f81519fe60c82f7e1bbfe86e890dfa873fe2f044cf460a77920763e6c75bde85df52ad00477eb']

    @Shared Map recipe
    @Shared Map repl
    @Shared Map cli
    @Shared Map report

    def setupSpec() {
        Repo.requireTool('ovmf-combined')
        Repo.requireTool('qemu-system-x86_64')
        Path replDir = Files.createDirectories(dir.resolve('repl'))
        Path recipeDir = Files.createDirectories(dir.resolve('recipe'))
        [replDir, recipeDir, dir].each { Files.copy(Kernels.debian().vmlinuz(), it.resolve('vmlinuz')) }

        Files.writeString(recipeDir.resolve('td.groovy'), PIPELINE)
        def r = Cli.run('run', recipeDir.resolve('td.groovy').toString(), '-C', recipeDir.toString(), '--report', recipeDir.resolve('report.json').toString())
        assert r.exitCode == 0 : r.toString()
        recipe = (Map) new JsonSlurper().parse(recipeDir.resolve('out/expected/expected.json').toFile())
        report = (Map) new JsonSlurper().parse(recipeDir.resolve('report.json').toFile())

        def proc = Cli.start(replDir, 'repl')
        proc.outputStream.withWriter('UTF-8') { it << PIPELINE << ':run\n:quit\n' }
        assert proc.waitFor(300, TimeUnit.SECONDS)
        assert Files.readString(replDir.resolve('cli.log')).contains('pipeline td succeeded') : Files.readString(replDir.resolve('cli.log'))
        repl = (Map) new JsonSlurper().parse(replDir.resolve('out/expected/expected.json').toFile())

        def c = Cli.run('measure', 'tdx', '--firmware', OVMF_TD, '--kernel', dir.resolve('vmlinuz').toString(), '--cmdline', 'console=ttyS0',
                '--cpus', '2', '--memory', '2G', '--disks', '0', '--profile', 'ubuntu-24.04', '--json')
        assert c.exitCode == 0 : c.toString()
        cli = (Map) new JsonSlurper().parseText(c.out)
    }

    def "the REPL, measure.tdx(vm) and measure tdx give the same MRTD and RTMR0-3, nothing missing"() {
        expect:
        ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'].every { recipe[it] ==~ /[0-9a-f]{96}/ }
        recipe.missing == [:] && cli.missing == [:] && repl.missing == [:]
        ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'].collect { recipe[it] } == ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'].collect { repl[it] }
        ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'].collect { recipe[it] } == ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'].collect { cli[it] }
        and: 'the events too'
        recipe.events == repl.events
        recipe.events == cli.events
    }

    def "RTMR0's TD HOB and ACPI events of that VM are quex's for 2 vCPUs, 2048 MiB, 0 disks"() {
        when:
        def rtmr0 = recipe.events.findAll { it.register == 'RTMR0' }.collect { it.digests.sha384 }

        then:
        rtmr0.containsAll(QUEX_RTMR0.values())
    }

    def "launch(vm) and measure.tdx(vm) read one VmSpec: the argv places exactly the devices of the measured topology"() {
        given:
        Map launched = (Map) new JsonSlurper().parse(dir.resolve('recipe/out/td/vm.json').toFile())
        String line = report.steps.find { it.name == 'td' }.values.commandLine
        List<String> argv = line.split(' ') as List

        expect: 'the VmSpec launch recorded is the one the prediction recorded, in the same (snake_case) form'
        launched == recipe.vm
        recipe.vm.topology.machine == 'pc-q35-8.2'

        and: 'every PCI device of the measured topology is on the command line, at its bus and slot, and no other'
        def devices = (0..<argv.size() - 1).findAll { argv[it] == '-device' }.collect { argv[it + 1] }
                .findAll { it ==~ /(pcie-root-port|virtio-\w+-pci),.*/ }
                .collect { d -> def p = d.split(',').drop(1).findAll { it.contains('=') }.collectEntries { it.split('=', 2) as List }; [p.id, p.bus, p.addr] }
        devices == recipe.vm.topology.devices.collect { [it.id, it.bus, "0x${Integer.toHexString(it.slot as int)}".toString()] }
        devices == [['net0', 'pcie.0', '0x1']]

        and: 'the machine and its options are the topology\'s'
        def machine = argv[argv.indexOf('-machine') + 1]
        machine.startsWith((['pc-q35-8.2'] + recipe.vm.topology.machine_options).join(','))
        argv.join(' ').contains('-global ' + recipe.vm.topology.globals[0])
    }

    def "sealwright launch --topology ubuntu-24.04 --profile ubuntu-24.04 --dry-run: the host's QEMU 8.2 dialect and the measured devices"() {
        when:
        def r = Cli.run('launch', '--dry-run', '--run-dir', dir.resolve('cli-run').toString(), '--tee', 'tdx', '--firmware', OVMF_TD,
                '--kernel', dir.resolve('vmlinuz').toString(), '--cmdline', 'console=ttyS0', '--cpus', '2', '--memory', '2G',
                '--topology', 'ubuntu-24.04', '--profile', 'ubuntu-24.04')
        List<String> argv = r.out.strip().split(' ') as List
        def devices = (0..<argv.size() - 1).findAll { argv[it] == '-device' }.collect { argv[it + 1] }
                .findAll { it ==~ /(pcie-root-port|virtio-\w+-pci),.*/ }
                .collect { d -> def p = d.split(',').drop(1).findAll { it.contains('=') }.collectEntries { it.split('=', 2) as List }; [p.id, p.bus, p.addr] }

        then: 'the 8.2 dialect the profile names (hpet=off, no memory backend), on the topology the prediction measured'
        r.exitCode == 0
        r.err.contains('TDX syntax for QEMU 8.2.2: CANONICAL_8_2')
        devices == recipe.vm.topology.devices.collect { [it.id, it.bus, "0x${Integer.toHexString(it.slot as int)}".toString()] }
        def machine = argv[argv.indexOf('-machine') + 1]
        machine.startsWith((['pc-q35-8.2'] + recipe.vm.topology.machine_options).join(','))
        machine.contains('confidential-guest-support=tdx') && !machine.contains('memory-backend')
    }

    def "measure.vtpm(vm) and measure.snp(vm) take the same typed value: the same bytes as the flat options"() {
        given:
        Repo.requireTool('systemd-stub')
        Path d = Files.createDirectories(dir.resolve('vtpm'))
        Files.write(d.resolve('uki.efi'), UkiBuilder.build(new UkiBuilder.Parts(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), Files.readAllBytes(dir.resolve('vmlinuz')),
                'rd'.bytes, 'console=ttyS0', '', 'ID=test\n'), 'stub'))
        Files.copy(dir.resolve('vmlinuz'), d.resolve('vmlinuz'))
        String snpOvmf = Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')
        Files.writeString(d.resolve('p.groovy'), """\
            pipeline('p') {
                def pc = vm { firmware file('${CODE}'); vars file('${VARS}'); uki file('uki.efi'); vtpm true; memory '2G'; cpus 2 }
                measure.vtpm('typed', pc)
                measure.vtpm('flat') { firmwareCode file('${CODE}'); firmwareVars file('${VARS}'); uki file('uki.efi'); memory '2G'; cpus 2 }
                def sev = vm { firmware file('${snpOvmf}'); kernel file('vmlinuz'); cmdline 'console=ttyS0'; tee 'snp'; cpus 4 }
                measure.snp('snp-typed', sev)
                measure.snp('snp-flat') { ovmf file('${snpOvmf}'); kernel file('vmlinuz'); append 'console=ttyS0'; vcpus 4; vcpuType 'EPYC-v4' }
            }
            """.stripIndent())

        when:
        def r = Cli.run('run', d.resolve('p.groovy').toString(), '-C', d.toString())

        then:
        r.exitCode == 0
        Files.readAllBytes(d.resolve('out/typed/expected.json')) == Files.readAllBytes(d.resolve('out/flat/expected.json'))
        new JsonSlurper().parse(d.resolve('out/typed/expected.json').toFile()).events.size() > 10
        Files.readAllBytes(d.resolve('out/snp-typed/measurement.json')) == Files.readAllBytes(d.resolve('out/snp-flat/measurement.json'))
    }
}
