package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Tmux
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * `sealwright repl` and `sealwright jshell` on a real pseudo-terminal (tmux), typed at as a person
 * types: Tab completion in each place, multi-line input, history across sessions, Ctrl-C during :run,
 * Ctrl-D, :save then `run`, a 40-column terminal and TERM=dumb. Every check reads the screen.
 */
class ReplTerminalSpec extends Specification {
    static final String PROMPT = 'sealwright> '

    @TempDir
    Path dir

    @AutoCleanup
    Tmux term

    def setup() {
        Files.createDirectories(dir.resolve('site/sub'))
        Files.writeString(dir.resolve('site/a.txt'), 'a')
        Files.writeString(dir.resolve('site/b.txt'), 'b')
    }

    private Tmux repl(Map<String, String> env = [:], int columns = 100) {
        term = new Tmux(dir, Tmux.sealwright('repl'), [XDG_CONFIG_HOME: dir.resolve('config').toString()] + env, columns)
        term.waitFor(PROMPT.trim())
        term
    }

    /** Presses Tab after {@code text} and waits until the screen shows every expected text below the line. */
    private String tab(String text, String... expected) {
        term.type(text)
        term.press('Tab')
        // capture-pane drops the spaces at the end of a line, so a completion's trailing space is not compared
        term.waitFor("${expected as List} after Tab on '${text}'") { String s -> expected.every { s.contains(it.trim()) } }
    }

    def "Tab completes in every place, a multi-line pipeline and def variables work, Ctrl-D leaves with 0, :save gives a recipe that runs"() {
        given:
        repl()

        when: 'Tab at an empty prompt'
        def s = tab('', ':help', ':run', 'pipeline', 'use')

        then: 'the session goes on'
        s.contains(PROMPT.trim())

        when: 'the Tab of issue 24: a word at the start of the line'
        tab('pipe', "${PROMPT}pipeline ")

        and: 'a step type at the start of a line (top level, then inside a pipeline)'
        term.press('C-u')
        s = tab('dig', "${PROMPT}digest ")

        then:
        !s.contains('ClassCastException')

        when: 'library names in use \''
        term.press('C-u')
        tab("use '", 'fde', 'files', 'kbs', 'snp', 'tdx', 'verity')
        term.press('C-u')
        tab("use 'fi", "${PROMPT}use 'files'")
        term.press('Enter')
        term.waitFor(PROMPT) { it.readLines().last() == PROMPT.trim() }

        and: 'a def variable survives to the next line'
        term.type('def x = 6 * 7')
        term.press('Enter')
        term.type('println "answer=$x"')
        term.press('Enter')

        then:
        term.waitFor('answer=42')

        when: 'an open brace continues the input on the next line'
        term.type("pipeline('p') {")
        term.press('Enter')
        term.waitFor('...>')

        and: 'step types inside the pipeline, with their descriptions'
        tab('  di', 'digest', 'diskEncrypt', 'diskImage', 'SHA-256 of every file')
        erase('  di')

        and: 'an option inside a step block'
        tab('  def h = archive { fr', '...>   def h = archive { from ')

        and: "paths in file('"
        tab("file('si", "file('site/")
        tab('', 'a.txt', 'b.txt', 'sub/')
        term.type("') }")
        term.press('Enter')

        and: "a handle's outputs after handle."
        term.type("  def e = exec('hello') { command 'sh', '-c', 'echo hi' }")
        term.press('Enter')
        tab('  digest { from e.', 'outputs of exec', 'stdout', 'what the program printed')
        term.type('stdout }')
        term.press('Enter')

        and: "a file's name, with the closing quote"
        tab("  digest('one') { from file('site/a", "file('site/a.txt'")
        term.type(') }')
        term.press('Enter')

        and: 'the only output of a handle completes at once'
        tab('  extract { archive h.', 'extract { archive h.archive ')
        term.type('}')
        term.press('Enter')
        term.type('}')
        term.press('Enter')

        then: 'the whole multi-line input was one declaration'
        term.waitFor('pipeline p: archive, hello, digest, one, extract')

        when: ':save, then Ctrl-D'
        term.type(':save saved.groovy')
        term.press('Enter')
        term.waitFor('saved 4 declarations')
        ctrlD()

        then: 'the session ends cleanly'
        term.exitCode() == 0

        when: 'the saved session is a recipe that `sealwright run` runs'
        def r = Cli.run('run', dir.resolve('saved.groovy').toString(), '-C', dir.toString())

        then:
        r.exitCode == 0
        r.out.contains('answer=42')
        r.out.contains('pipeline p succeeded: 5 executed')
    }

    def "Tab inside a step block: the step's options and its block's words (pack { enroll, sign }), a nested block's own words, a handle's outputs"() {
        given:
        repl()

        when: 'options of pack and the words of its block'
        def s = tab("pipeline('p') { pack { en", 'enrollMask', 'enrollVaultMrenclave', 'options of pack', 'pack { }')

        then: 'the line was completed to the common prefix; nothing of the enroll step (a different thing than pack\'s enroll block)'
        s.contains("${PROMPT}pipeline('p') { pack { enroll")
        !s.contains('options of enroll')

        when: 'sign is a word of the pack block, not an option'
        term.press('C-u')
        s = tab("pipeline('p') { pack { si", 'signingCert', 'signingKey', 'options of pack', 'pack { }')

        then:
        s.readLines().any { it.trim() == 'sign' || it.startsWith('sign ') }

        when: "inside pack's enroll block: that block's words (PackEnrollSpec), not the enroll step's options"
        term.press('C-u')
        s = tab("pipeline('p') { pack { enroll { s", 'simulatedTdReport', 'secretEnv', 'pack { enroll { } }')

        then:
        !s.contains('seed') && !s.contains('options of enroll') && !s.contains('options of pack')

        when: "a handle's outputs after handle. inside the pack block"
        term.press('C-u')
        s = tab("pipeline('p') { def k = kernel { debian 'linux-image-6.12.*-cloud-amd64' }; pack { kernel k.", 'outputs of kernel', 'release', 'package')

        then: 'the session goes on'
        term.press('C-u')
        term.type('6 * 7')
        term.press('Enter')
        term.waitFor('===> 42')

        when:
        ctrlD()

        then:
        term.exitCode() == 0
    }

    def "history: Up recalls the previous session's entry; Ctrl-C during :run cancels the run and its process, not the session"() {
        given: 'a first session that evaluates one line'
        repl()
        term.type('40 + 2')
        term.press('Enter')
        term.waitFor('===> 42')
        ctrlD()
        assert term.exitCode() == 0
        term.close()

        when: 'a second session, Up'
        repl()
        term.press('Up')

        then:
        term.waitFor("${PROMPT}40 + 2")  // the recalled entry on the prompt line

        when: 'a pipeline whose step runs long is run, and Ctrl-C is pressed'
        String marker = String.valueOf(600000 + new Random().nextInt(99999))
        term.press('C-u')
        term.type("pipeline('p') { exec('slow') { command 'sh', '-c', 'sleep ${marker}' } }")
        term.press('Enter')
        term.waitFor('pipeline p: slow')
        term.type(':run')
        term.press('Enter')
        waitUntil { !sleepers(marker).isEmpty() }
        term.press('C-c')

        then: 'the run is cancelled and its process is gone (the SIGINT also reaches the step\'s process, which may end first: then the step fails with 130)'
        term.waitFor('the run to end') { String s -> s.contains('run cancelled (Ctrl-C); the session goes on') || s.contains('sh exited with 130') }
        waitUntil { sleepers(marker).isEmpty() }
        !term.screen().contains('pipeline p succeeded')

        when: 'the session goes on'
        term.type('6 * 7')
        term.press('Enter')

        then:
        term.waitFor('===> 42')

        when:
        ctrlD()

        then:
        term.exitCode() == 0
    }

    def "a 40-column terminal: candidates fit the width, the line wraps, the session works"() {
        given:
        repl([:], 40)

        when:
        term.type("pipeline('p') {")
        term.press('Enter')
        def s = tab('  di', 'digest', 'diskImage')

        then: 'the descriptions are cut to the width, not wrapped'
        s.readLines().every { it.length() <= 40 }
        s.readLines().find { it.startsWith('digest') }.endsWith('…)')

        when:
        tab('g', 'digest ')
        term.type("{ from file('site') } // a comment long enough to wrap")
        term.press('Enter')
        term.type('}')
        term.press('Enter')

        then:
        term.waitFor('pipeline p: digest')

        when:
        ctrlD()

        then:
        term.exitCode() == 0
    }

    def "TERM=dumb: the terminal edits the line (Tab inserts a tab), input evaluates, no escape sequences, Ctrl-D leaves with 0"() {
        given:
        repl([TERM: 'dumb'])

        when:
        term.type('6 * 7')
        term.press('Enter')
        term.waitFor('===> 42')
        term.type('pipe')
        term.press('Tab', 'Enter')

        then: 'the tab went into the line, which Groovy reports; the session goes on'
        term.waitFor("unknown name 'pipe'")

        when:
        term.type('1 + 1')
        term.press('Enter')

        then:
        term.waitFor('===> 2')
        !term.screenWithEscapes().contains('\u001b')

        when:
        ctrlD()

        then:
        term.exitCode() == 0
    }

    def "a history file that can be neither read nor written: one line each, no stack trace, the session and its keys go on"() {
        given: 'the history file is a directory'
        Files.createDirectories(dir.resolve('config/sealwright/history'))
        repl()

        when:
        term.type('6 * 7')
        term.press('Enter')

        then:
        def s = term.waitFor('===> 42')
        term.waitFor('Failed to save history')
        s.contains('Is a directory (the session goes on)')

        when: 'Tab still completes'
        tab('pipe', "${PROMPT}pipeline")

        then:
        !term.screen().readLines().any { it.startsWith('\tat ') || it.contains('Exception in thread') }

        when:
        term.press('C-u', 'C-d')

        then:
        term.exitCode() == 0
    }

    def "jshell: a runtime call evaluates and Tab completes a runtime class name"() {
        given:
        term = new Tmux(dir, Tmux.sealwright('jshell'), [HOME: dir.toString()])
        term.waitFor('jshell>', 120)

        when:
        term.type('Sealwright.version()')
        term.press('Enter')

        then:
        term.waitFor('"0.1.0-SNAPSHOT"')

        when:
        term.type('StepTyp')
        term.press('Tab')

        then:
        term.waitFor('StepType and StepTypes listed') { String s -> s =~ /StepType\s+StepTypes/ }

        when:
        term.type('s.has("digest")')
        term.press('Enter')

        then:
        term.waitFor('==> true')

        when:
        term.type('/exit')
        term.press('Enter')

        then:
        term.exitCode() == 0
    }

    /**
     * Ctrl-D once the prompt is drawn: JLine puts the terminal in raw mode before it draws the prompt, and
     * a Ctrl-D typed earlier, while the terminal is still in line mode, is taken by the line discipline.
     */
    private void ctrlD() {
        term.waitFor('the prompt') { String s -> s.readLines().last() == PROMPT.trim() }
        term.press('C-d')
    }

    /** Deletes {@code typed} from the end of the line, key by key. */
    private void erase(String typed) {
        term.press(*(['BSpace'] * typed.length()))
    }

    private static List<ProcessHandle> sleepers(String marker) {
        ProcessHandle.allProcesses().filter { it.info().commandLine().orElse('').contains("sleep ${marker}") }.toList()
    }

    private static void waitUntil(Closure<Boolean> cond) {
        long end = System.nanoTime() + 60_000_000_000L
        while (!cond()) {
            assert System.nanoTime() < end: 'timed out'
            Thread.sleep(50)
        }
    }
}
