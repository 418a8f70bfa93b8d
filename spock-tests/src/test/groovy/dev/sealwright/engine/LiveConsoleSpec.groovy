package dev.sealwright.engine

import dev.sealwright.base.SourceLocation
import dev.sealwright.engine.observe.LiveConsole
import dev.sealwright.engine.observe.PlainConsole
import dev.sealwright.testkit.TestSteps
import spock.lang.Specification

class LiveConsoleSpec extends Specification {
    def step = new Step('fetch', new TestSteps.Concat(), [:], SourceLocation.UNKNOWN)
    def pipeline = Pipeline.builder('p').step(step).build()

    def record(StepStatus status) {
        new StepRecord('fetch', 'test.concat', StepKind.CACHED, status, 'ab' * 32, 0, 1500, [:], [:], [:], [:],
                status == StepStatus.FAILED ? 'boom' : null, null)
    }

    def "on a terminal, running steps get a redrawn status line with progress; finished steps scroll above"() {
        given:
        def buf = new ByteArrayOutputStream()
        def console = new LiveConsole(new PrintStream(buf, true, 'UTF-8'))

        when:
        console.runStarted(pipeline, 2)
        console.stepStarted(step)
        console.stepProgress(step, 3 << 20, 12 << 20, 'bytes')
        Thread.sleep(450)
        console.stepFinished(record(StepStatus.EXECUTED))
        console.runFinished(new RunResult('p', false, [record(StepStatus.EXECUTED)], 0, 1500))
        def text = buf.toString('UTF-8')

        then:
        text.contains('  ~ fetch (test.concat) ')
        text.contains('3.0 MiB / 12.0 MiB (25%)')
        text.contains('\033[1A\r\033[2K')
        text.contains('[fetch] done in 1.5s')
        text.contains('pipeline p succeeded: 1 executed, 0 cached, 0 failed, 0 not run (1.5s)')
    }

    def "plain output has one line per event and no escape codes"() {
        given:
        def buf = new ByteArrayOutputStream()
        def console = new PlainConsole(new PrintStream(buf, true, 'UTF-8'))

        when:
        console.runStarted(pipeline, 1)
        console.stepStarted(step)
        console.stepLog(step, 'hello')
        console.stepFinished(record(StepStatus.FAILED))
        def text = buf.toString('UTF-8')

        then:
        text.readLines() == ['pipeline p: 1 steps, up to 1 at a time', '[fetch] start test.concat', '[fetch] hello', '[fetch] FAILED after 1.5s: boom']
        !text.contains('\033')
    }
}
