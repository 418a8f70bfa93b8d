package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.engine.FileRef
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path

/**
 * The value forms measure.tdx { } and measure.vtpm { } accept, and the one-line error (recipe.groovy:LINE:COL) of a bad
 * one. Written while both still had hand-written forwarding setters (cpus(long), memory(Object) -> toString, ...),
 * kept green after they gave way to the registry-driven StepSpec: the options come from the step type, and the
 * accepted forms did not change.
 */
class MeasureOptionFormsSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        Files.writeString(dir.resolve('f.bin'), 'x')
    }

    private Path recipe(String type, String body) {
        def f = dir.resolve('recipe.groovy')
        String base = type == 'measure.tdx' ? "firmware file('f.bin')" : "firmwareCode file('f.bin')"
        Files.writeString(f, "pipeline('p') {\n    ${type}('m') {\n        ${base}\n        ${body}\n    }\n}\n")
        f
    }

    private Object option(String type, String body, String name) {
        RecipeLoader.load(recipe(type, body), [:]).pipeline.step('m').options()[name]
    }

    private String error(String type, String body) {
        try {
            RecipeLoader.load(recipe(type, body), [:])
        } catch (RecipeException e) {
            return RecipeErrors.render(e).readLines()[0]
        }
        throw new AssertionError("loaded without error: ${body}")
    }

    @Unroll
    def "#type: #body sets #name to #expected (#expectedType.simpleName)"() {
        when:
        def v = option(type, body, name)

        then:
        v == expected
        v.getClass() == expectedType

        where:
        type           | body                                  | name          | expected                  | expectedType
        'measure.tdx'  | 'cpus 2'                              | 'cpus'        | 2L                        | Long
        'measure.tdx'  | 'cpus 2L'                             | 'cpus'        | 2L                        | Long
        'measure.tdx'  | "memory '2G'"                         | 'memory'      | '2G'                      | String
        'measure.tdx'  | 'memory 2048'                         | 'memory'      | '2048'                    | String
        'measure.tdx'  | 'def n = 4; memory "${n}G"'           | 'memory'      | '4G'                      | String
        'measure.tdx'  | 'def c = "ttyS0"; cmdline "console=${c}"' | 'cmdline' | 'console=ttyS0'           | String
        'measure.tdx'  | "secureBoot '1'"                      | 'secureBoot'  | '1'                       | String
        'measure.tdx'  | "kernelPatch 'linux'"                 | 'kernelPatch' | 'linux'                   | String
        'measure.tdx'  | 'stubVersion 255'                     | 'stubVersion' | 255L                      | Long
        'measure.tdx'  | "profile 'ubuntu-24.04'"              | 'profile'     | 'ubuntu-24.04'            | String
        'measure.vtpm' | 'cpus 4'                              | 'cpus'        | 4L                        | Long
        'measure.vtpm' | "memory '1G'"                         | 'memory'      | '1G'                      | String
        'measure.vtpm' | 'memory 2048'                         | 'memory'      | '2048'                    | String   // refused (not text) while vtpm had memory(String); now as measure.tdx
        'measure.vtpm' | 'secureBoot true'                     | 'secureBoot'  | true                      | Boolean
        'measure.vtpm' | 'espChain false'                      | 'espChain'    | false                     | Boolean
        'measure.vtpm' | "qemuVersion '10.0.2'"                | 'qemuVersion' | '10.0.2'                  | String
    }

    @Unroll
    def "#type: a file option takes file(), a File or a Path: #body"() {
        when:
        def v = option(type, body.replace('DIR', dir.toString()), name)

        then:
        v instanceof FileRef
        ((FileRef) v).path() == dir.resolve('f.bin')

        where:
        type           | body                                          | name
        'measure.tdx'  | "kernel file('f.bin')"                        | 'kernel'
        'measure.tdx'  | "uki new File('DIR/f.bin')"                   | 'uki'
        'measure.tdx'  | "initrd java.nio.file.Path.of('DIR/f.bin')"   | 'initrd'
        'measure.tdx'  | "bootDisk file('f.bin')"                      | 'bootDisk'
        'measure.vtpm' | "firmwareVars file('f.bin')"                  | 'firmwareVars'
        'measure.vtpm' | "uki new File('DIR/f.bin')"                   | 'uki'
        'measure.vtpm' | "referenceLog file('f.bin')"                  | 'referenceLog'
    }

    @Unroll
    def "#type: #body is refused in one line at its recipe line"() {
        expect:
        error(type, body) == message

        where:
        type           | body                 | message
        'measure.tdx'  | 'cpus 0'             | "recipe.groovy:4:9: option 'cpus' of measure.tdx: 0 is out of range 1..512"
        'measure.tdx'  | "memory 'lots'"      | "recipe.groovy:4:9: option 'memory' of measure.tdx: memory 'lots' is not a size like 512M or 2G"
        'measure.tdx'  | 'memory 2G'          | "recipe.groovy:4:9: option 'memory' of measure.tdx: memory 2G/2g is Groovy's number 2, not a size: quote it, memory '2G'"
        'measure.vtpm' | 'memory 1g'          | "recipe.groovy:4:9: option 'memory' of measure.vtpm: memory 1G/1g is Groovy's number 1, not a size: quote it, memory '1G'"
        'measure.tdx'  | "kernelPatch 'some'" | "recipe.groovy:4:9: option 'kernelPatch' of measure.tdx: --kernel-patch must be all, linux or none, not 'some'"
        'measure.tdx'  | "cpus 'two'"         | "recipe.groovy:2:5: option 'cpus' of step m must be a long, got 'two'"
        'measure.tdx'  | "kernel 'vmlinuz'"   | "recipe.groovy:2:5: option 'kernel' of step m must be a file or step output, got 'vmlinuz'"
        'measure.tdx'  | "kernal file('f.bin')" | "recipe.groovy:4:9: unknown option 'kernal' for step measure.tdx; did you mean kernel? (known: vm, firmware, vars, kernel, initrd, cmdline, uki, bootDisk, cpus, memory, tee, profile, secureBoot, kernelPatch, disks, acpi, stubVersion)"
        'measure.vtpm' | 'cpus 600'           | "recipe.groovy:4:9: option 'cpus' of measure.vtpm: 600 is out of range 1..512"
        'measure.vtpm' | "memory 'lots'"      | "recipe.groovy:4:9: option 'memory' of measure.vtpm: 'lots' is not a size like 512M or 2G"
        'measure.vtpm' | "secureBoot 'yes'"   | "recipe.groovy:2:5: option 'secureBoot' of step m must be a boolean, got 'yes'"
        'measure.vtpm' | "qemuVersion 'ten'"  | "recipe.groovy:4:9: option 'qemuVersion' of measure.vtpm: cannot read a QEMU version from 'ten' (expected e.g. 8.2.2)"
    }

    def "vm { memory 2G } is refused at its line: Groovy reads 2G as the BigInteger 2, which would be 2 MiB"() {
        given:
        def f = dir.resolve('recipe.groovy')
        Files.writeString(f, "pipeline('p') {\n    def v = vm {\n        cpus 2\n        memory 2G\n    }\n}\n")

        when:
        RecipeLoader.load(f, [:])

        then:
        RecipeException e = thrown()
        RecipeErrors.render(e).readLines()[0] == "recipe.groovy:4:9: vm option 'memory': memory 2G/2g is Groovy's number 2, not a size: quote it, memory '2G'"
    }
}
