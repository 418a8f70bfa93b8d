package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** {@code kernel debian('GLOB')} in pack and in shimCloudImage: one word (DebianKernelStepSpec) declaring a kernel step. */
class DebianKernelWordSpec extends Specification {
    @TempDir
    Path dir

    def "#word { kernel debian(GLOB) } adds a kernel step for GLOB and takes its kernel directory"() {
        given:
        Files.writeString(dir.resolve('f.bin'), 'x')
        def f = dir.resolve('recipe.groovy')
        Files.writeString(f, "pipeline('p') {\n    ${word}('img') { kernel debian('linux-image-6.1.*-cloud-amd64'); ${rest} }\n}\n")

        when:
        def pipeline = RecipeLoader.load(f, [:]).pipeline
        def kernel = pipeline.steps().find { it.type().name() == 'kernel' }
        def img = pipeline.steps().find { it.name() == 'img' }

        then:
        kernel.options().debian == 'linux-image-6.1.*-cloud-amd64'
        img.options().kernel == new OutputRef(kernel.name(), 'kernel')

        where:
        word             | rest
        'pack'           | ''
        'shimCloudImage' | "initrd file('f.bin'); root file('f.bin')"
    }
}
