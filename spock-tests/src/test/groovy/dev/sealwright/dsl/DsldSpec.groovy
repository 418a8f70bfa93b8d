package dev.sealwright.dsl

import spock.lang.Specification

/** The Groovy-Eclipse descriptor ships in the dsl jar where Groovy-Eclipse looks (dsld/), compiles, and delegates pipeline { } to PipelineSpec. */
class DsldSpec extends Specification {
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
}
