package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.engine.FileRef
import dev.sealwright.engine.OptionChecks
import dev.sealwright.engine.OptionSpec
import dev.sealwright.engine.OutputRef
import dev.sealwright.engine.Pipeline
import dev.sealwright.engine.StepTypes
import dev.sealwright.testkit.Cli
import dev.sealwright.vm.PortForward
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path

/**
 * Every step family validates its option values where the recipe loads (OptionSpec checks), so a bad value is
 * reported as recipe.groovy:LINE:COL naming the option, before any step runs.
 */
class OptionChecksSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        Files.createDirectories(dir.resolve('tree'))
        Files.writeString(dir.resolve('f.bin'), 'x')
    }

    String error(String step) {
        def f = dir.resolve('recipe.groovy')
        Files.writeString(f, "pipeline('p') {\n    digest { from file('tree') }\n    ${step}\n}\n")
        try {
            RecipeLoader.load(f, [:])
        } catch (RecipeException e) {
            return RecipeErrors.render(e).readLines()[0]
        }
        throw new AssertionError("loaded without error: ${step}")
    }

    @Unroll
    def "#family: #step is refused at its line when the recipe loads"() {
        expect:
        error(step) ==~ /recipe\.groovy:3:\d+: option '${option}' of ${type}: .*${reason}.*/

        where:
        family         | type                  | option          | reason                            | step
        'files'        | 'archive'             | 'from'          | 'is not a directory'              | "archive { from file('f.bin') }"
        'files'        | 'exec'                | 'timeout'       | 'out of range 1..86400'           | "exec { command 'true'; timeout 0 }"
        'measure tdx'  | 'measure.tdx'         | 'kernelPatch'   | 'must be all, linux or none'      | "measure.tdx { firmware file('f.bin'); kernelPatch 'some' }"
        'measure snp'  | 'measure.snp'         | 'vmmType'       | 'ec2'                             | "measure.snp { ovmf file('f.bin'); vmmType 'kvm' }"
        'measure snp'  | 'measure.snp'         | 'vcpus'         | 'out of range'                    | "measure.snp { ovmf file('f.bin'); vcpus 0 }"
        'measure vtpm' | 'measure.vtpm'        | 'memory'        | 'a size like 512M'                | "measure.vtpm { firmwareCode file('f.bin'); memory 'lots' }"
        'image'        | 'pack'                | 'gzipLevel'     | 'out of range 1..9'               | "pack { kernel file('tree'); gzipLevel 12 }"
        'tpm'          | 'tpm.seal'            | 'pcrs'          | 'expected BANK:PCR'               | "tpmSeal { srkPub file('f.bin'); pcrValues file('f.bin'); data secret(file: 'f.bin'); pcrs '7' }"
        'deploy'       | 'disk.deploy'         | 'pcrs'          | ''                                | "diskDeploy { image file('f.bin'); srkPub file('f.bin'); pcrs 'sha999:7' }"
        'disk'         | 'disk.encrypt'        | 'sectorSize'    | 'is not one of 512, 4096'         | "diskEncrypt { image file('f.bin'); passphrase secret(file: 'f.bin'); sectorSize 1000 }"
        'disk'         | 'disk.image'          | 'size'          | "size 'big' is not like 16M"      | "diskImage { rootfs file('tree'); size 'big' }"
        'disk'         | 'verity'              | 'hashBlockSize' | 'not a power of two'              | "verity { data file('f.bin'); hashBlockSize 1000 }"
        'attest'       | 'quote.verify'        | 'at'            | 'not an ISO-8601 instant'         | "quoteVerify { quote file('f.bin'); collateral file('f.bin'); at 'yesterday' }"
        'attest'       | 'snp.simulate'        | 'reportData'    | 'not hex'                         | "snpSimulate { measurement file('f.bin'); at '2026-01-01T00:00:00Z'; reportData 'xyz1' }"
        'attest'       | 'quote.publish'       | 'endpoint'      | 'is not an http\\(s\\) URL'       | "quotePublish { endpoint 'ftp://example.org/'; quote file('f.bin') }"
        'snp'          | 'snp.idblock'         | 'familyId'      | 'at most 16'                      | "snpIdBlock { measurement file('f.bin'); idKey secret(file: 'f.bin'); authorKey secret(file: 'f.bin'); familyId '00' * 17 }"
        'enroll'       | 'enroll'              | 'mrtd'          | 'must be 48'                      | "enroll { mrtd 'abcd' }"
        'kbs'          | 'kbs'                 | 'port'          | 'out of range 0..65535'           | "kbs { policy file('f.bin'); secrets secret(file: 'f.bin'); port 70000 }"
        'kbs'          | 'kbs.verdict'         | 'require'       | "is not one of , grant, refuse"   | "kbsVerdict('v') { audit file('f.bin'); require 'maybe' }"
        'uefi'         | 'uefi.config'         | 'certs'         | 'is not a directory'              | "uefiConfig { certs file('f.bin') }"
        'cloud'        | 'image.shimCloud'     | 'cmdline'       | 'words of'                        | "shimCloudImage { kernel file('tree'); initrd file('f.bin'); cmdline 'a;b' }"
    }

    def "vm: #step is refused at its line when the recipe loads (a vm { } value checks as it is built)"() {
        expect:
        error(step) ==~ /recipe\.groovy:3:\d+: .*${reason}.*/

        where:
        reason                                   | step
        "unknown tee 'sgx'"                      | "launch { firmware file('f.bin'); tee 'sgx' }"
        "memory '2X' is not a size like 512M"    | "launch { firmware file('f.bin'); memory '2X' }"
    }

    def "the CLI reports the bad value with file:line and runs no step, not even the ones before it"() {
        given:
        def recipe = dir.resolve('bad.groovy')
        Files.writeString(recipe, """pipeline('bad') {
    exec('first') { command 'touch', '${dir.resolve('ran')}' }
    verity { data file('f.bin'); hash 'md5' }
}
""")

        when:
        def r = Cli.run('run', recipe.toString(), '-C', dir.toString())

        then:
        r.exitCode == 1
        r.err.readLines()[0] ==~ /bad\.groovy:3:\d+: option 'hash' of verity: 'md5' is not one of sha256, sha512, sha1/
        !Files.exists(dir.resolve('ran'))
    }

    def "a pipeline built from Java runs the same checks (StepValidator), naming the step"() {
        when:
        Pipeline.builder('j').step('v', StepTypes.get('verity'), [data: new FileRef(dir.resolve('f.bin')), hash: 'md5']).build()

        then:
        def e = thrown(RecipeException)
        e.message == "option 'hash' of step v (verity): 'md5' is not one of sha256, sha512, sha1"
    }

    def "a check sees each element of a list option and never a step output"() {
        given:
        // a list option with a check, as launch's forward list was before it moved into the vm { } value
        def forward = OptionSpec.optionalList('forward', String, '').checked(OptionChecks.parsedBy({ String v -> PortForward.parse(v) } as java.util.function.Consumer<String>))

        expect:
        forward.problem('2222:22') == null
        forward.problem('x:y') != null
        forward.problem(new OutputRef('a', 'b')) == null
        OptionSpec.optional('n', Long, null, '').checked(OptionChecks.range(1, 2)).problem(3) == '3 is out of range 1..2'
    }
}
