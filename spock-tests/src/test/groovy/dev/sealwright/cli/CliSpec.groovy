package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class CliSpec extends Specification {
    @TempDir
    Path work

    String quickstart = Repo.path('samples/checksummed.groovy').toString()

    def "--help and --version succeed; a bad option is a usage error (exit 2)"() {
        expect:
        with(Cli.run('--help')) { exitCode == 0 && out.contains('run') && out.contains('plan') && out.contains('doctor') && out.contains('quickstart') }
        with(Cli.run('--version')) { exitCode == 0 && out.startsWith('sealwright ') }
        with(Cli.run('run', '--frobnicate', quickstart)) { exitCode == 2 && err.contains("Unknown option: '--frobnicate'") }
        with(Cli.run('nosuchverb')) { exitCode == 2 }
        with(Cli.run('run', quickstart, '-p', 'nosuch=1', '-C', work.toString())) { exitCode == 2 && err.readLines()[0] == 'sealwright: unknown parameter nosuch given with -p (declared: title, epoch)' }
    }

    def "the quickstart runs, a second run executes nothing, and plan shows every step cached"() {
        when:
        def first = Cli.run('run', quickstart, '-C', work.toString(), '--report', work.resolve('run1.json').toString())

        then:
        first.exitCode == 0
        first.out.contains('pipeline checksummed succeeded: 5 executed, 0 cached, 0 failed, 0 not run')
        Files.isRegularFile(work.resolve('out/manifest/manifest.json'))
        new JsonSlurper().parse(work.resolve('out/manifest/manifest.json').toFile()).count == 3

        and: 'the report names the external tool the verify step ran, with its version'
        def report = new JsonSlurper().parse(work.resolve('run1.json').toFile())
        report.steps.find { it.name == 'verify' }.tools.sha256sum ==~ /\d+\.\d+.*/
        report.tools.sha256sum

        when:
        def second = Cli.run('run', quickstart, '-C', work.toString())
        def plan = Cli.run('plan', quickstart, '-C', work.toString())

        then:
        second.exitCode == 0
        second.out.contains('0 executed, 5 cached')
        !second.out.contains('] start ')
        plan.exitCode == 0
        plan.out.readLines()[0] == 'pipeline checksummed: 5 cached, 0 to run'
    }

    def "plan explains a changed parameter, and the JSON plan lists dependencies"() {
        given:
        Cli.run('run', quickstart, '-C', work.toString())

        when:
        def plan = Cli.run('plan', quickstart, '-C', work.toString(), '-p', 'title=changed')
        def json = new JsonSlurper().parseText(Cli.run('plan', quickstart, '-C', work.toString(), '--json').out)

        then:
        plan.out.readLines()[0] == 'pipeline checksummed: 4 cached, 1 to run'
        plan.out.contains('- option title: "sealwright quickstart" -> "changed"')
        json.steps.find { it.name == 'manifest' }.depends_on == ['extract', 'digest']
        json.steps*.action.every { it == 'cached' }
    }

    def "outputs are byte-identical when the quickstart runs from scratch in another directory"() {
        given:
        def other = Files.createDirectories(work.resolve('other'))

        when:
        Cli.run('run', quickstart, '-C', work.toString())
        Cli.run('run', quickstart, '-C', other.toString(), '--fresh')

        then:
        ['archive/archive.tar.gz', 'digest/SHA256SUMS', 'manifest/manifest.json'].every {
            Files.readAllBytes(work.resolve("out/${it}")) == Files.readAllBytes(other.resolve("out/${it}"))
        }
    }

    def "a recipe error is one located line plus the source line, with a stack trace only under --debug"() {
        given:
        def recipe = work.resolve('broken.groovy')
        Files.writeString(recipe, "pipeline('b') {\n    digest { form file('.') }\n}\n")

        when:
        def plain = Cli.run('plan', recipe.toString(), '-C', work.toString())
        def debug = Cli.run('plan', recipe.toString(), '-C', work.toString(), '--debug')

        then:
        plain.exitCode == 1
        plain.err.readLines() == ["broken.groovy:2:14: unknown option 'form' for step digest; did you mean from? (known: from)",
                                  " 2 |     digest { form file('.') }",
                                  "   |              ^"]
        debug.exitCode == 1
        debug.err.contains('\tat ')
    }

    def "a failing step fails the run with exit 1 and names the step and the reason"() {
        given:
        def recipe = work.resolve('fails.groovy')
        Files.createDirectories(work.resolve('data'))
        Files.writeString(work.resolve('data/x'), 'x')
        Files.writeString(recipe, """pipeline('f') {
            def s = digest { from file('data') }
            exec('bad') { command 'sh', '-c', 'echo broken >&2; exit 4' }
        }""")

        when:
        def r = Cli.run('run', recipe.toString(), '-C', work.toString())

        then:
        r.exitCode == 1
        r.out.contains('[bad] FAILED after ')
        r.out.contains(': sh exited with 4: broken')
        r.out.contains('pipeline f failed')
    }

    def "steps lists the step types and describes one"() {
        expect:
        with(Cli.run('steps')) { exitCode == 0 && ['archive', 'extract', 'digest', 'manifest', 'exec'].every { t -> out.contains(t) } }
        with(Cli.run('steps', 'extract')) { exitCode == 0 && out.contains('archive    file or step output, required') }
        with(Cli.run('steps', 'nope')) { exitCode == 2 && err.startsWith("sealwright: unknown step type 'nope'") }
    }
}
