package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

class ReplSpec extends Specification {
    @TempDir
    Path dir

    /** Drives `sealwright repl` in a real JVM through piped standard input, as a script would. */
    String session(String input) {
        def proc = Cli.start(dir, 'repl')
        proc.outputStream.withWriter('UTF-8') { it << input }
        assert proc.waitFor(120, TimeUnit.SECONDS)
        Files.readString(dir.resolve('cli.log'))
    }

    def setup() {
        Files.createDirectories(dir.resolve('site'))
        Files.writeString(dir.resolve('site/a.txt'), 'a')
    }

    def "bindings persist, multi-line input continues while a bracket is open, :plan and :run work, :save writes a recipe"() {
        when:
        def text = session('''\
            n = 6 * 7
            n + 0
            pipeline('r') {
                def s = digest { from file('site') }
            }
            :plan
            :run
            :run
            :save saved.groovy
            :quit
            '''.stripIndent())

        then:
        text.contains('===> 42')
        text.contains('pipeline r: digest')
        text.contains('run     digest  (no previous run)')
        text.contains('pipeline r succeeded: 1 executed, 0 cached')
        text.contains('pipeline r succeeded: 0 executed, 1 cached')
        Files.readString(dir.resolve('saved.groovy')).contains("pipeline('r') {")

        when: 'the saved session is a recipe the CLI runs'
        def r = Cli.run('plan', dir.resolve('saved.groovy').toString(), '-C', dir.toString())

        then:
        r.exitCode == 0
        r.out.contains('1 cached, 0 to run')
    }

    def "def variables survive to the next line; :save writes a recipe that runs: a repeated def as an assignment, the last pipeline only, no silent overwrite"() {
        when:
        def text = session('''\
            def x = 6 * 7
            println "answer=$x"
            def x = x + 1
            String label = 'v' + x
            pipeline('old') { digest { from file('site') } }
            pipeline('r') {
                def s = digest { from file('site') }
                exec('show') { command 'echo', "x=$x $label" }
            }
            :save saved.groovy
            :save saved.groovy
            :quit
            '''.stripIndent())

        then:
        text.contains('answer=42')
        text.contains('===> 43')
        text.contains('===> v43')
        text.contains('saved 5 declarations')
        text.contains("saved.groovy exists; :save saved.groovy --force replaces it")

        when:
        def saved = Files.readString(dir.resolve('saved.groovy'))

        then: 'what was typed, except that the second def of x assigns and the replaced pipeline is gone'
        saved.readLines().take(4) == ['def x = 6 * 7', 'println "answer=$x"', 'x = x + 1', "String label = 'v' + x"]
        !saved.contains("pipeline('old')")

        when:
        def r = Cli.run('run', dir.resolve('saved.groovy').toString(), '-C', dir.toString())

        then:
        r.exitCode == 0
        r.out.contains('answer=42')
        r.out.contains('pipeline r succeeded: 2 executed')
        Files.readString(dir.resolve('out/show/stdout.txt')) == 'x=43 v43\n'
    }

    def "a step outside a pipeline is named as such"() {
        when:
        def text = session("digest { from file('site') }\n")

        then:
        text.contains("digest declares a step: write it inside pipeline('name') { ... }")
    }

    def "errors are reported with their line and the session goes on"() {
        when:
        def text = session("pipeline('r') {\n  digest { frm file('site') }\n}\nx = 1\nx\n")

        then:
        text.contains("repl.groovy:2:12: unknown option 'frm' for step digest; did you mean from? (known: from)")
        text.contains('===> 1')
    }

    def "piped input drives the real CLI; a failure gives exit 1"() {
        given:
        def proc = Cli.start(dir, 'repl')

        when:
        proc.outputStream.withWriter { it << "pipeline('p') { digest { from file('site') } }\n:run\nno_such_thing\n" }
        proc.waitFor(120, TimeUnit.SECONDS)
        def text = Files.readString(dir.resolve('cli.log'))

        then:
        text.contains('pipeline p succeeded: 1 executed')
        text.contains("unknown name 'no_such_thing'")
        proc.exitValue() == 1
    }

    def "jshell runs a snippet against the runtime API without imports"() {
        given:
        def proc = Cli.start(dir, 'jshell')

        when:
        proc.outputStream.withWriter { it << 'System.out.println("v=" + Sealwright.version() + " types=" + StepTypes.has("digest"));\n/exit\n' }
        proc.waitFor(180, TimeUnit.SECONDS)
        def text = Files.readString(dir.resolve('cli.log'))

        then:
        text.contains('v=0.1.0-SNAPSHOT types=true')
    }
}
