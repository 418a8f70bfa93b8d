package dev.sealwright.engine

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.TestSteps
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

class TempDirExecutionSpec extends Specification {
    @TempDir
    Path dir

    Workspace ws
    boolean cancelled

    def setup() {
        TestSteps.install()
        ws = new Workspace(dir).open()
    }

    def cleanup() {
        ws.close()
    }

    TempDirExecution execution() {
        new TempDirExecution(ws, new SecretMasker(), [], { cancelled })
    }

    /** a step type whose execute is the given closure; declares one file output */
    StepType type(Closure body) {
        [name: { 'test.inline' }, version: { 1 }, description: { 'inline' }, options: { [] },
         outputs: { [OutputSpec.file('out', 'out.txt', 'result')] }, execute: body] as StepType
    }

    def "a step runs in a fresh temp dir under the workspace; its files are described and work/ is dropped"() {
        given:
        def s = new Step('hello', StepTypes.get('test.concat'), [text: 'hi'], null)

        when:
        def r = execution().run(s, { null }, new Tools(), { })

        then:
        r.dir().parent == ws.tmpDir()
        Files.readString(r.outputPath('out')) == 'hi'
        r.described() == [out: [path: 'out.txt', digest: 'sha256:' + MessageDigest.getInstance('SHA-256').digest('hi'.bytes).encodeHex(), size: 2L]]
        !Files.exists(r.dir().resolve('work'))
    }

    def "a step that does not write a declared output fails with one line naming it"() {
        when:
        execution().run(new Step('lazy', type({ ctx -> }), [:], null), { null }, new Tools(), { })

        then:
        def e = thrown(RecipeException)
        e.message == "step lazy (test.inline) did not produce its output 'out' (out.txt)"
    }

    def "resources kept alive are handed over also when the step fails, and a cancelled run stops after execute"() {
        given:
        def res = { } as AutoCloseable
        List kept = []

        when:
        execution().run(new Step('svc', type({ ctx -> ctx.keepAlive(res); throw new RecipeException('boom') }), [:], null), { null }, new Tools(), { kept.addAll(it) })

        then:
        thrown(RecipeException)
        kept == [res]

        when:
        cancelled = true
        execution().run(new Step('c', StepTypes.get('test.concat'), [:], null), { null }, new Tools(), { })

        then:
        def e = thrown(RecipeException)
        e.message == 'cancelled'
    }
}
