package dev.sealwright.dsl

import dev.sealwright.engine.StepType
import spock.lang.Specification

/**
 * The IDE descriptors are generated from the step registry when the DSL is built (DslDescriptors) and ship in the
 * dsl jar where Groovy-Eclipse (dsld/) and IntelliJ look; they compile, and name every step word and option.
 */
class DsldSpec extends Specification {
    static final List<StepType> SHIPPED = ServiceLoader.load(StepType).toList()

    def "dsld/sealwright.dsld is on the class path, is valid Groovy and names the DSL's entry points"() {
        when:
        def text = RecipeLoader.getResource('/dsld/sealwright.dsld')?.text
        def script = new GroovyShell().parse(text, 'sealwright.dsld')

        then:
        script != null
        text.contains("delegatesTo type: 'dev.sealwright.dsl.PipelineSpec'")
        text.contains("method name: 'pipeline'")
        RecipeScript.methods*.name.containsAll(['pipeline', 'use'])
    }

    def "#file declares every shipped step word inside pipeline { } and every option inside its closure, with the typed delegate"() {
        given:
        def text = RecipeLoader.getResource(file).text
        new GroovyShell().parse(text, file.tokenize('/').last())

        expect:
        SHIPPED.size() > 30
        SHIPPED.every { t ->
            text.contains("method name: '${t.dslName()}', type: 'dev.sealwright.dsl.StepHandle'") &&
                    text.contains("enclosingCall${file.endsWith('dsld') ? 'Name' : ''}('${t.dslName()}')") &&
                    t.options().every { o -> text.contains("method name: '${o.name()}', type: ") }
        }
        text.contains("enclosingCall${file.endsWith('dsld') ? 'Name' : ''}('tdx')")
        text.contains("'dev.sealwright.dsl.PackSpec'")
        text.contains("'dev.sealwright.dsl.StepSpec'")

        where:
        file << ['/dsld/sealwright.dsld', '/dev/sealwright/dsl/sealwright.gdsl']
    }
}
