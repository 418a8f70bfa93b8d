package dev.sealwright.dsl

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class RecipeLoaderSpec extends Specification {
    @TempDir
    Path dir

    def "an edited recipe is recompiled, an unchanged one comes from the compiled-recipe cache"() {
        given:
        Files.createDirectories(dir.resolve('d'))
        Files.writeString(dir.resolve('d/x'), 'x')
        def f = dir.resolve('r.groovy')

        when:
        Files.writeString(f, "pipeline('p') { digest('one') { from file('d') } }")
        def a = RecipeLoader.load(f)
        def b = RecipeLoader.load(f)
        Files.writeString(f, "pipeline('p') { digest('two') { from file('d') } }")
        def c = RecipeLoader.load(f)

        then:
        a.pipeline.steps()*.name() == ['one']
        b.pipeline.steps()*.name() == ['one']
        c.pipeline.steps()*.name() == ['two']
    }

    def "step handles given directly stand for their only output"() {
        given:
        Files.createDirectories(dir.resolve('d'))
        Files.writeString(dir.resolve('d/x'), 'x')
        def f = dir.resolve('r.groovy')
        Files.writeString(f, """pipeline('p') {
            def packed = archive { from file('d') }
            extract { archive packed }
        }""")

        expect:
        RecipeLoader.load(f).pipeline.step('extract').options().archive.describe() == 'archive.archive'
    }
}
