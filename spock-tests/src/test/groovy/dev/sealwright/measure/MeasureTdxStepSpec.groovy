package dev.sealwright.measure

import groovy.json.JsonSlurper
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The cached measure.tdx step in a recipe: {@code measure.tdx { ... }} and {@code measure.tdx(vm) { ... }} with the VM launch boots. */
class MeasureTdxStepSpec extends Specification {
    @TempDir
    Path work

    def "a recipe predicts MRTD into expected.json; a second run is cached"() {
        given:
        Repo.requireTool('ovmf-combined')
        def recipe = work.resolve('tdx.groovy')
        Files.writeString(recipe, """
            pipeline('tdx-expected') {
                measure.tdx('expected') {
                    firmware file('/usr/share/ovmf/OVMF.fd')
                    memory   '8G'
                    profile  'ubuntu-24.04'
                }
            }
        """.stripIndent())

        when:
        def first = Cli.run('run', recipe.toString(), '-C', work.toString())
        def second = Cli.run('run', recipe.toString(), '-C', work.toString())
        def doc = new JsonSlurper().parse(work.resolve('out/expected/expected.json').toFile())

        then:
        first.exitCode == 0
        second.exitCode == 0
        second.out.contains('0 executed, 1 cached')
        doc.profile == 'ubuntu-24.04'
        doc.mrtd == 'acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1'
        doc.events[0].digests.sha384 == '2e070cda358b5aa00f27cca25c47381bb564f4be3a84d059805a73cbbde764ed8341f7e09915b5e7b370f9c08a743fbd'
        doc.rtmr0 ==~ /[0-9a-f]{96}/   // ubuntu-24.04 builds the ACPI tables of its TD shape
    }

    def "an unknown option of measure.tdx names the known ones"() {
        given:
        def recipe = work.resolve('bad.groovy')
        Files.writeString(recipe, "pipeline('x') {\n    measure.tdx {\n        firmware file('/usr/share/ovmf/OVMF.fd')\n        ramsize '2G'\n    }\n}\n")

        when:
        def r = Cli.run('run', recipe.toString(), '-C', work.toString())

        then:
        r.exitCode == 1
        r.err.contains("unknown option 'ramsize' for step measure.tdx")
        r.err.contains('memory')
    }

    private Path ukiFile() {
        Repo.requireTool('systemd-stub')
        def kernel = dev.sealwright.testkit.Kernels.debian().vmlinuz()   // Debian's cloud kernel from the cached .deb
        def uki = work.resolve('uki.efi')
        Files.write(uki, dev.sealwright.image.uki.UkiBuilder.build(new dev.sealwright.image.uki.UkiBuilder.Parts(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), Files.readAllBytes(kernel), 'rd'.bytes,
                'console=ttyS0', '', 'ID=test\n'), 'stub'))
        uki
    }

    def "one vm { } value: launch boots it and measure.tdx predicts it; expected.json records the same VmSpec as launch's vm.json"() {
        given:
        Repo.requireTool('ovmf-combined')
        Repo.requireTool('qemu-system-x86_64')
        ukiFile()
        def recipe = work.resolve('td.groovy')
        Files.writeString(recipe, """
            pipeline('td') {
                def vm = vm {
                    firmware file('/usr/share/ovmf/OVMF.fd')
                    kernel   file('uki.efi')
                    cpus     2
                    memory   '2G'
                    tee      'none'      // this host has no TDX: launch under TCG; measure.tdx still predicts the TD
                }
                measure.tdx('expected', vm) { profile 'qemu-10' }
                launch('guest', vm)
            }
        """.stripIndent())

        when:
        def r = Cli.run('run', recipe.toString(), '-C', work.toString())
        def doc = new JsonSlurper().parse(work.resolve('out/expected/expected.json').toFile())
        def launched = new JsonSlurper().parse(work.resolve('out/guest/vm.json').toFile())

        then:
        r.exitCode == 0
        doc.vm == launched       // the same VmSpec, in the one (snake_case) form of every --json document
        doc.vm.memory_mib == 2048
        launched.kernel == work.resolve('uki.efi').toAbsolutePath().normalize().toString()
        launched.memory_mib == 2048 && launched.cpus == 2
        and: 'the UKI on Debian stub 252: RTMR1 has the UKI, the inner kernel and the actions; RTMR2 the .cmdline and .initrd'
        doc.rtmr1 ==~ /[0-9a-f]{96}/
        doc.rtmr2 ==~ /[0-9a-f]{96}/
        doc.events.findAll { it.register == 'RTMR1' && it.type == 'EV_EFI_BOOT_SERVICES_APPLICATION' }*.description ==
                ['UKI (Authenticode)', 'inner kernel (.linux) loaded by systemd-stub 252.39-1~deb12u2 (Authenticode)'].collect { it.replace('252.39-1~deb12u2', stubText()) }
    }

    private static String stubText() {
        dev.sealwright.measure.uki.StubVersion.detect(dev.sealwright.image.pe.PeFile.read(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), 'stub')).get().text()
    }

    def "measure.tdx refuses a vm it cannot predict, with one line: #why"() {
        given:
        Repo.requireTool('ovmf-combined')
        ukiFile()
        def recipe = work.resolve('bad.groovy')
        Files.writeString(recipe, "pipeline('x') {\n    def vm = vm {\n        firmware file('/usr/share/ovmf/OVMF.fd')\n        ${line}\n    }\n    measure.tdx(vm) { profile 'qemu-10' }\n}\n")

        when:
        def r = Cli.run('run', recipe.toString(), '-C', work.toString())

        then: 'recipe-time errors on stderr, a failed step in the run output'
        r.exitCode == 1
        (r.err + r.out).contains(message)

        where:
        why           | line                                  | message
        'SNP VM'     | "kernel file('uki.efi'); tee 'snp'"   | "measure.tdx: the vm's tee is snp; use measure.snp"
        'code + vars' | "kernel file('uki.efi'); vars file('/usr/share/OVMF/OVMF_VARS_4M.fd')" | 'a TD loads one combined firmware image (OVMF.fd) with -bios, not code + vars'
        'TD + vars'   | "kernel file('uki.efi'); tee 'tdx'; vars file('/usr/share/OVMF/OVMF_VARS_4M.fd')" | 'vm: tee tdx loads the firmware with -bios (no pflash); drop vars'
        'typo'       | "kernal file('uki.efi')"              | "unknown vm option 'kernal'"
    }

    def "measure.tdx of a vm that boots its uki from an ESP: the GPT of the disk launch writes, then the UKI, in RTMR1"() {
        given:
        Repo.requireTool('ovmf-combined')
        ukiFile()
        def recipe = work.resolve('esp.groovy')
        Files.writeString(recipe, "pipeline('esp') {\n    def vm = vm {\n        firmware file('/usr/share/ovmf/OVMF.fd')\n        uki file('uki.efi')\n        memory '2G'\n    }\n    measure.tdx('esp', vm) { profile 'qemu-10' }\n}\n")

        when:
        def r = Cli.run('run', recipe.toString(), '-C', work.toString())
        def doc = new JsonSlurper().parse(work.resolve('out/esp/expected.json').toFile())

        then:
        r.exitCode == 0
        doc.events.findAll { it.register == 'RTMR1' }*.type.take(4) == ['EV_EFI_ACTION', 'EV_SEPARATOR', 'EV_EFI_GPT_EVENT', 'EV_EFI_BOOT_SERVICES_APPLICATION']
        doc.rtmr1 ==~ /[0-9a-f]{96}/
        doc.rtmr0 == null
    }
}
