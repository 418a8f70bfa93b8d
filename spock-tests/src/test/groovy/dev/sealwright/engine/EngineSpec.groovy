package dev.sealwright.engine

import dev.sealwright.base.RecipeException
import dev.sealwright.base.Secret
import dev.sealwright.engine.observe.JsonRunReport
import dev.sealwright.testkit.TestSteps
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

import static dev.sealwright.testkit.TestSteps.journal

class EngineSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        TestSteps.install()
    }

    Path write(String name, String text) {
        def p = dir.resolve(name)
        Files.createDirectories(p.parent)
        Files.writeString(p, text)
        p
    }

    /** a → b → d, and c independent of a/b; d reads b and c. */
    Pipeline diamond(Map extra = [:]) {
        def concat = StepTypes.get('test.concat')
        Pipeline.builder('demo')
                .step('a', concat, [text: 'A', inputs: [new FileRef(dir.resolve('in/a.txt'))]] + (extra.a ?: [:]))
                .step('b', concat, [text: 'B', inputs: [new OutputRef('a', 'out')]] + (extra.b ?: [:]))
                .step('c', concat, [text: 'C', inputs: [new FileRef(dir.resolve('in/c.txt'))]] + (extra.c ?: [:]))
                .step('d', concat, [text: 'D', inputs: [new OutputRef('b', 'out'), new OutputRef('c', 'out')]] + (extra.d ?: [:]))
                .build()
    }

    RunResult run(Pipeline p, EngineOptions opts = new EngineOptions()) {
        def ws = new Workspace(dir).open()
        try {
            return new Engine(ws, opts).run(p)
        } finally {
            ws.close()
        }
    }

    Plan plan(Pipeline p, EngineOptions opts = new EngineOptions()) {
        new Engine(new Workspace(dir), opts).plan(p)
    }

    def "first run executes every step and publishes outputs; a second run is fully cached"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')

        when:
        def first = run(diamond())

        then:
        first.ok()
        journal.toSorted() == ['a', 'b', 'c', 'd']
        Files.readString(dir.resolve('out/d/out.txt')) == 'DBAa1Cc1'

        when:
        journal.clear()
        def second = run(diamond())

        then:
        second.ok()
        journal.isEmpty()
        second.steps*.status.every { it == StepStatus.CACHED }
        second.steps*.key == first.steps*.key
        Files.readString(dir.resolve('out/d/out.txt')) == 'DBAa1Cc1'
    }

    def "a changed input re-runs exactly its dependants, and plan names the changed input"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        run(diamond())
        journal.clear()

        when:
        write('in/c.txt', 'c2')
        def p = plan(diamond())

        then:
        p.entries().collectEntries { [(it.step().name()): it.action()] } == [a: Plan.Action.CACHED, b: Plan.Action.CACHED, c: Plan.Action.RUN, d: Plan.Action.RUN]
        def c = p.entries().find { it.step().name() == 'c' }
        c.reasons().size() == 1
        c.reasons()[0].startsWith('input inputs[0]: ')
        c.reasons()[0].contains('in/c.txt')
        p.entries().find { it.step().name() == 'd' }.reasons()[0] == 'runs after c (its inputs are not known until then)'

        when:
        def r = run(diamond())

        then:
        r.ok()
        journal.toSorted() == ['c', 'd']
        Files.readString(dir.resolve('out/d/out.txt')) == 'DBAa1Cc2'
    }

    def "touching an input without changing its bytes does not invalidate the cache"() {
        given:
        def a = write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        run(diamond())
        journal.clear()

        when:
        Files.setLastModifiedTime(a, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000))
        def r = run(diamond())

        then:
        r.ok()
        journal.isEmpty()
    }

    def "an option change is explained as old -> new in the plan"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        run(diamond())

        when:
        def p = plan(diamond(c: [text: 'C2']))

        then:
        p.entries().find { it.step().name() == 'c' }.reasons() == ['option text: "C" -> "C2"']
    }

    def "a step whose upstream re-ran but produced identical bytes stays cached"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        run(diamond())
        journal.clear()

        when: 'c runs again (fresh key via an option) but b is unaffected; d sees new c bytes'
        def r = run(diamond(a: [sleepMs: 1]))

        then: 'a re-ran with the same output bytes, so b (which reads only a.out) is cached'
        journal.toSorted() == ['a']
        r.step('b').status() == StepStatus.CACHED
        r.step('d').status() == StepStatus.CACHED
    }

    def "resume after an injected failure re-runs only the failed step and what depends on it"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        def marker = write('fail-b', 'x')
        def p = diamond(b: [failIf: marker.toString()])

        when:
        def first = run(p, new EngineOptions().jobs(1))

        then:
        !first.ok()
        first.step('b').status() == StepStatus.FAILED
        first.step('b').error().contains('injected failure')
        first.step('d').status() in [StepStatus.SKIPPED, StepStatus.NOT_RUN]
        !Files.exists(dir.resolve('out/b/out.txt'))
        !Files.exists(dir.resolve('out/d/out.txt'))

        when:
        Files.delete(marker)
        journal.clear()
        def second = run(p, new EngineOptions().jobs(1))

        then:
        second.ok()
        second.step('a').status() == StepStatus.CACHED
        journal.containsAll(['b', 'd'])
        !journal.contains('a')
        Files.readString(dir.resolve('out/d/out.txt')) == 'DBAa1Cc1'
    }

    def "no more than --jobs steps run at once"() {
        given:
        def concat = StepTypes.get('test.concat')
        def b = Pipeline.builder('wide')
        // each step waits until `jobs` steps have been running at once, so reaching the limit does not hang on
        // thread scheduling; the 150 ms sleep gives a scheduler that starts too many the time to show it
        (1..6).each { b.step("s${it}", concat, [text: "${it}".toString(), sleepMs: 150L, awaitRunning: jobs as Long]) }

        when:
        def r = run(b.build(), new EngineOptions().jobs(jobs))

        then:
        r.ok()
        TestSteps.maxRunning.get() == jobs

        where:
        jobs << [1, 2, 3]
    }

    def "--fresh ignores the cache and re-executes everything"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        run(diamond())
        journal.clear()

        when:
        def r = run(diamond(), new EngineOptions().fresh(true))

        then:
        r.ok()
        journal.toSorted() == ['a', 'b', 'c', 'd']
        plan(diamond(), new EngineOptions().fresh(true)).entries()[0].reasons() == ['--fresh: cache ignored']
    }

    def "a service stays up while its dependants run and is torn down after them"() {
        given:
        def p = Pipeline.builder('svc')
                .step('server', StepTypes.get('test.service'), [:])
                .step('client1', StepTypes.get('test.client'), [port: new OutputRef('server', 'port')])
                .step('client2', StepTypes.get('test.client'), [port: new OutputRef('server', 'port')])
                .build()

        when:
        def r = run(p)

        then:
        r.ok()
        journal.findAll { it.startsWith('client') }.every { it.endsWith(':connected:true') }
        TestSteps.openPorts.isEmpty()

        when: 'live steps never come from the cache'
        journal.clear()
        run(p)

        then:
        journal.size() == 3
    }

    def "a service is torn down when a dependant fails"() {
        given:
        def p = Pipeline.builder('svc-fail')
                .step('server', StepTypes.get('test.service'), [:])
                .step('client', StepTypes.get('test.client'), [port: new OutputRef('server', 'port')])
                .step('boom', StepTypes.get('test.concat'), [failIf: dir.toString(), inputs: [new OutputRef('client', 'log')]])
                .build()

        when:
        def r = run(p)

        then:
        !r.ok()
        r.step('boom').status() == StepStatus.FAILED
        TestSteps.openPorts.isEmpty()
    }

    def "secrets are masked in logs and reports, and never enter the key by value"() {
        given:
        def secretFile = write('token.txt', 's3cr3t-t0ken-value')
        def logs = []
        def listener = new RunListener() {
            void stepLog(Step s, String line) { logs << line }
        }
        def report = dir.resolve('run.json')
        def p = Pipeline.builder('sec').step('use', StepTypes.get('test.concat'), [token: Secret.ofFile(secretFile)]).build()

        when:
        def r = run(p, new EngineOptions().listener(listener).listener(new JsonRunReport(report)))
        def stateFile = dir.resolve('.sealwright/state/sec.json')

        then:
        r.ok()
        logs == ['using token ****']
        !Files.readString(report).contains('s3cr3t')
        !Files.readString(stateFile).contains('s3cr3t')
        Files.readString(stateFile).contains('hmac-sha256:')
        Files.getPosixFilePermissions(dir.resolve('.sealwright/secret-salt')) == java.nio.file.attribute.PosixFilePermissions.fromString('rw-------')

        when: 'changing the secret re-runs the step; the plan says only that the secret changed'
        Files.writeString(secretFile, 'another-secret-value')
        def pl = plan(p)

        then:
        pl.entries()[0].action() == Plan.Action.RUN
        pl.entries()[0].reasons() == ['secret token: changed']
    }

    def "the run report lists steps, statuses, digests and tool versions"() {
        given:
        write('in/a.txt', 'a1')
        write('in/c.txt', 'c1')
        def report = dir.resolve('report/run.json')

        when:
        run(diamond(), new EngineOptions().listener(new JsonRunReport(report)))
        def json = new JsonSlurper().parse(report.toFile())

        then:
        json.pipeline == 'demo'
        json.status == 'ok'
        json.steps*.name == ['a', 'b', 'c', 'd']
        json.steps*.status.every { it == 'executed' }
        json.steps[0].inputs['inputs[0]'].source.endsWith('in/a.txt')
        json.steps[0].inputs['inputs[0]'].digest == 'sha256:' + MessageDigestHex.sha256('a1')
        json.steps[3].outputs.out.digest == 'sha256:' + MessageDigestHex.sha256('DBAa1Cc1')
        json.steps[3].outputs.out.size == 8
    }

    def "a second run while one holds the workspace is refused"() {
        given:
        def ws = new Workspace(dir).open()

        when:
        new Workspace(dir).open()

        then:
        def e = thrown(RecipeException)
        e.message.contains('another sealwright run is using')

        cleanup:
        ws.close()
    }

    def "options are validated when the pipeline is built"() {
        when:
        Pipeline.builder('bad').step('x', StepTypes.get('test.concat'), opts).build()

        then:
        def e = thrown(RecipeException)
        e.message == message

        where:
        opts                                  || message
        [colour: 'red']                       || "unknown option 'colour' for step test.concat (known: text, inputs, failIf, sleepMs, awaitRunning, token)"
        [text: 42]                            || "option 'text' of step x must be a string, got Integer"
        [inputs: [new OutputRef('nope', 'out')]] || "option 'inputs' of step x refers to unknown step 'nope'"
    }

    static class MessageDigestHex {
        static String sha256(String s) {
            java.security.MessageDigest.getInstance('SHA-256').digest(s.bytes).encodeHex().toString()
        }
    }
}
