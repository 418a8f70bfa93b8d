package dev.sealwright.snp

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The cached step measure.snp from a recipe: V9 of E-17, caching, reproducible output, recipe errors. */
class MeasureSnpStepSpec extends Specification {
    @TempDir Path dir

    Path recipe(String body) {
        def r = dir.resolve('snp.groovy')
        Files.writeString(r, "pipeline('snp') {\n${body}\n}\n")
        r
    }

    static String v9Body() {
        """    def ld = measure.snp {
        ovmf     file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
        vcpus    4
        vcpuType 'EPYC-v4'
        kernel   file('/dev/null')
        initrd   file('/dev/null')
        append   ''
    }"""
    }

    def "measure.snp predicts V9, is cached on the second run and writes the same bytes when re-run fresh"() {
        given:
        def r = recipe(v9Body())

        when:
        def first = Cli.run('run', '-C', dir.toString(), r.toString())
        def json = dir.resolve('out/measure_snp/measurement.json')
        def bytes1 = Files.readAllBytes(json)
        def second = Cli.run('run', '-C', dir.toString(), r.toString())
        def fresh = Cli.run('run', '-C', dir.toString(), '--fresh', r.toString())

        then:
        first.exitCode == 0
        new JsonSlurper().parse(json.toFile()).digest == '5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5'
        second.exitCode == 0
        second.out.contains('1 cached')
        fresh.exitCode == 0
        fresh.out.contains('1 executed')
        Files.readAllBytes(json) == bytes1
    }

    def "measure.snp(vm) and launch(vm) share one VM description: the digest is V9 and the dry-run SNP launch boots the same kernel"() {
        given:
        def r = recipe("""    def guest = vm {
        firmware file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
        kernel   file('/dev/null')
        initrd   file('/dev/null')
        cmdline  ''
        cpus     4
        tee      'snp'
    }
    measure.snp('ld', guest) { vcpuType 'EPYC-v4' }
    launch('guest', guest) { dryRun true }""")

        when:
        def res = Cli.run('run', '-C', dir.toString(), r.toString())
        def vmJson = new JsonSlurper().parse(dir.resolve('out/guest/vm.json').toFile())

        then:
        res.exitCode == 0
        new JsonSlurper().parse(dir.resolve('out/ld/measurement.json').toFile()).digest == '5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5'
        vmJson.toString().contains('snp')
    }

    def "measure.snp(vm) refuses a VM that is not an SNP guest, in one line"() {
        given:
        def r = recipe("""    def guest = vm {
        firmware file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
        kernel   file('/dev/null')
        tee      'tdx'
    }
    measure.snp(guest)""")

        when:
        def res = Cli.run('run', '-C', dir.toString(), r.toString())

        then:
        res.exitCode == 1
        res.err.readLines()[0] == "snp.groovy:7:13: measure.snp: the vm's tee is tdx; an SNP launch digest needs tee 'snp'"
    }

    def "a bad option value in the recipe is one line"() {
        given:
        def r = recipe("""    measure.snp {
        ovmf    file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
        vmmType 'xen'
    }""")

        when:
        def res = Cli.run('run', '-C', dir.toString(), r.toString())

        then:
        res.exitCode == 1
        res.err.readLines()[0] == "snp.groovy:4:9: option 'vmmType' of measure.snp: unknown VMM type 'xen' (known: QEMU, ec2, ec2-legacy, gce)"
    }
}
