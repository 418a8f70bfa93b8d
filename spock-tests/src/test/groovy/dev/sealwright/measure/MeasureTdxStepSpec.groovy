package dev.sealwright.measure

import groovy.json.JsonSlurper
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The cached measure.tdx step in a recipe ({@code measure.tdx { ... }}; the form taking a VmSpec waits for the Launch component). */
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
        doc.rtmr0 == null
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
}
