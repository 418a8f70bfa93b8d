package dev.sealwright.cli

import dev.sealwright.base.SourceLocation
import dev.sealwright.engine.Pipeline
import dev.sealwright.engine.Step
import dev.sealwright.engine.StepKind
import dev.sealwright.engine.StepRecord
import dev.sealwright.engine.StepStatus
import dev.sealwright.engine.observe.PlainConsole
import dev.sealwright.testkit.TestSteps
import dev.sealwright.testkit.Tmux
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * The pipeline's live display (StatusLineConsole) on a real pseudo-terminal (tmux): status lines for
 * running steps below the permanent lines, cut to the terminal's width, coloured unless NO_COLOR, gone
 * when the run ends; plain lines with TERM=dumb. Every check reads the screen.
 */
class LiveDisplaySpec extends Specification {
    @TempDir
    Path dir

    /** A person at a terminal: not CI (the suite itself runs with CI=true, where the display is plain by design). */
    static final Map<String, String> PERSON = [TERM: 'xterm-256color', CI: 'false']

    @AutoCleanup
    Tmux term

    /** Created by a test when it has read the screen; the running step ends then (a fixed-length step could end before). */
    Path release

    def setup() {
        release = dir.resolve('release')
        // a step with a long name that runs until the test releases it (at most 120 s), so the screen is read while it runs
        Files.writeString(dir.resolve('live.groovy'), """
            pipeline('live') {
                exec('a-step-whose-name-is-long-enough-to-reach-the-edge') {
                    command 'sh', '-c', 'i=0; while [ ! -e "\$1" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done', 'sh', '${release}'
                }
            }
        """.stripIndent())
    }

    private Tmux run(Map<String, String> env, int columns) {
        term = new Tmux(dir, Tmux.sealwright('run', 'live.groovy'), PERSON + env, columns, 20)
        term
    }

    def "a running step has a status line cut to the terminal's width; it is gone when the run ends, the permanent lines stay"() {
        when:
        run([:], 50)
        def during = term.waitFor('the status line', 120) { String s -> s.contains('  ~ a-step-whose-name') }
        def escapes = term.screenWithEscapes()
        Files.createFile(release)

        then: 'below the first permanent line: one line, 49 columns at most, ending in an ellipsis; coloured'
        during.contains('pipeline live: 1 steps, up to')
        def line = during.readLines().find { it.startsWith('  ~ a-step-whose-name') }
        line.length() <= 49
        line.endsWith('…')
        escapes.contains('\u001b[36m')

        when:
        int rc = term.exitCode(120)
        def after = term.screenAndHistory()

        then:
        rc == 0
        !after.contains('  ~ ')
        after.contains('pipeline live: 1 steps, up to')
        after.contains('[a-step-whose-name-is-long-enough-to-reach-the-edge] done in ')
        after.indexOf('pipeline live: 1 steps') < after.indexOf('[a-step-whose-name-is-long-enough-to-reach-the-edge] done in ')
        after.contains('pipeline live succeeded: 1 executed')
    }

    def "NO_COLOR: the status line has no colour"() {
        when:
        run([NO_COLOR: '1'], 100)
        term.waitFor('the status line', 120) { String s -> s.contains('  ~ a-step-whose-name-is-long-enough-to-reach-the-edge (exec) ') }
        def escapes = term.screenWithEscapes()
        Files.createFile(release)

        then:
        !escapes.contains('\u001b[36m')
        term.exitCode(120) == 0
    }

    def "TERM=dumb: plain lines, no status line and no escape codes"() {
        when:
        run([TERM: 'dumb'], 100)
        term.waitFor('[a-step-whose-name-is-long-enough-to-reach-the-edge] start exec', 120)
        Thread.sleep(3000)   // the step runs on as long as it used to (3 s): a live display would have drawn a status line by then
        Files.createFile(release)
        int rc = term.exitCode(120)
        def screen = term.screen()

        then:
        rc == 0
        screen.contains('[a-step-whose-name-is-long-enough-to-reach-the-edge] start exec')
        !screen.contains('  ~ ')
        !term.screenWithEscapes().contains('\u001b[36m')
    }

    def "a verity step shows the bytes it has hashed on its status line (bytes, percent, rate, ETA)"() {
        given: 'a 1 GiB sparse data file: a few seconds of hashing on a shared machine'
        new RandomAccessFile(dir.resolve('data.img').toFile(), 'rw').withCloseable { it.setLength(1L << 30) }
        Files.writeString(dir.resolve('verity.groovy'), """
            pipeline('hashing') {
                verity('tree') {
                    data file('data.img')
                    salt '-'
                }
            }
        """.stripIndent())

        when:
        term = new Tmux(dir, Tmux.sealwright('run', 'verity.groovy'), PERSON, 120, 20)
        def during = term.waitFor('a byte-progress status line', 120) { String s -> s =~ /  ~ tree \(verity\) [0-9.]+s  [0-9.]+ of 1024\.0 MiB \(\d+%\)/ }

        then:
        during.readLines().find { it.startsWith('  ~ tree (verity)') } ==~ /  ~ tree \(verity\) [0-9.]+s  [0-9.]+ of 1024\.0 MiB \(\d+%\), [0-9.]+ MiB\/s(, ETA \d+:\d\d)?/
        term.exitCode(300) == 0
        !term.screenAndHistory().contains('  ~ ')
    }

    def "a status line shows bytes, percent, rate and ETA from the step's start"() {
        given:
        long t0 = 1_000_000_000L
        def line = new StepProgressLine('fetch', 'extract', t0)

        when:
        line.update(3L << 20, 12L << 20, 'bytes', t0)

        then: '3 MiB in 2 s: 1.5 MiB/s, 9 MiB left: 6 s'
        line.render(t0 + 2_000_000_000L) == '  ~ fetch (extract) 2.0s  3.0 of 12.0 MiB (25%), 1.5 MiB/s, ETA 0:06'

        and: 'other units are counts; nothing reported yet shows only the time'
        new StepProgressLine('boot', 'launch', t0).render(t0 + 500_000_000L) == '  ~ boot (launch) 0.5s'
        with(new StepProgressLine('n', 't', t0)) {
            update(3, 8, 'files', t0)
            render(t0 + 1_000_000_000L) == '  ~ n (t) 1.0s  3 files of 8 (37%)'
        }
    }

    def "plain output has one line per event and no escape codes"() {
        given:
        def step = new Step('fetch', new TestSteps.Concat(), [:], SourceLocation.UNKNOWN)
        def pipeline = Pipeline.builder('p').step(step).build()
        def buf = new ByteArrayOutputStream()
        def console = new PlainConsole(new PrintStream(buf, true, 'UTF-8'))

        when:
        console.runStarted(pipeline, 1)
        console.stepStarted(step)
        console.stepLog(step, 'hello')
        console.stepFinished(new StepRecord('fetch', 'test.concat', StepKind.CACHED, StepStatus.FAILED, 'ab' * 32, 0, 1500,
                [:], [:], [:], [:], 'boom', null))
        def text = buf.toString('UTF-8')

        then:
        text.readLines() == ['pipeline p: 1 steps, up to 1 at a time', '[fetch] start test.concat', '[fetch] hello', '[fetch] FAILED after 1.5s: boom']
        !text.contains('\033')
    }
}
