package dev.sealwright.recipes

import dev.sealwright.cli.ReplCompleter
import dev.sealwright.cli.ReplParser
import dev.sealwright.dsl.RecipeScript
import dev.sealwright.testkit.Cli
import org.jline.reader.Parser
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import groovy.json.JsonSlurper
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Repo

/**
 * Library tooling: `recipes new` scaffolds a library whose own spec `test-recipes` runs (and fails when the library
 * is broken); the REPL completer offers a recipe's parameters inside its call.
 */
class RecipeToolingSpec extends Specification {
    @TempDir
    Path dir

    def "recipes new scaffolds a library whose spec passes under test-recipes; a broken recipe makes it fail; no overwrite without --force"() {
        when:
        def made = Cli.run('recipes', 'new', 'acme', '--dir', dir.toString())
        def tested = Cli.run('test-recipes', dir.resolve('acme').toString())

        then:
        made.exitCode == 0
        ['library.groovy', 'test/AcmeSpec.groovy', 'test/site/a.txt'].every { Files.isRegularFile(dir.resolve('acme').resolve(it)) }
        tested.exitCode == 0
        tested.out.contains('ok   sums: SHA256SUMS lists each file with the digest the JDK computes')
        tested.out.readLines().contains('1 passed, 0 failed')

        when: 'the recipe hashes the wrong thing: the spec (expected value from the JDK) catches it'
        def lib = dir.resolve('acme/library.groovy')
        Files.writeString(lib, Files.readString(lib).replace('from args.dir', "from file('${dir.resolve('acme/test')}')"))
        def broken = Cli.run('test-recipes', dir.resolve('acme').toString())

        then:
        broken.exitCode == 1
        broken.out.contains('FAIL sums: SHA256SUMS lists each file')
        broken.out.readLines().contains('0 passed, 1 failed')

        when: 'the same two runs as JSON: stdout is one document, valid against docs/schemas/test-recipes.schema.json'
        def brokenJson = Cli.run('test-recipes', dir.resolve('acme').toString(), '--json=short')
        Files.writeString(lib, Files.readString(lib).replace("from file('${dir.resolve('acme/test')}')", 'from args.dir'))
        def fineJson = Cli.run('test-recipes', dir.resolve('acme').toString(), '--json')
        def schema = Repo.root().resolve('docs/schemas/test-recipes.schema.json')

        then:
        brokenJson.exitCode == 1
        brokenJson.out.readLines().size() == 1
        JsonSchemas.validate(schema, brokenJson.out).exit == 0
        with(new JsonSlurper().parseText(brokenJson.out) as Map) {
            passed == 0 && failed == 1
            tests.find { it.status == 'failed' }.name.startsWith('sums: SHA256SUMS lists each file')
            tests.find { it.status == 'failed' }.message
        }
        fineJson.exitCode == 0
        JsonSchemas.validate(schema, fineJson.out).exit == 0
        with(new JsonSlurper().parseText(fineJson.out) as Map) {
            passed == 1 && failed == 0
            tests*.status == ['passed']
        }
        JsonSchemas.validate(schema, '{"library":"x","passed":1,"failed":0,"tests":[{"name":"a","kind":"test","status":"ok"}]}').exit != 0

        when:
        def again = Cli.run('recipes', 'new', 'acme', '--dir', dir.toString())
        def bad = Cli.run('recipes', 'new', 'Acme-1', '--dir', dir.toString())
        def none = Cli.run('test-recipes', dir.toString())

        then:
        again.exitCode == 1
        again.err.contains('library.groovy: already exists; not overwriting it (add --force to replace it)')
        bad.exitCode == 2
        bad.err.contains("NAME 'Acme-1' is not a library name")
        none.exitCode == 2
        none.err.contains('no library.groovy')
    }

    def "the REPL completes a recipe's parameters inside its call, leaving out those given"() {
        given:
        def ctx = new RecipeScript.RecipeContext(recipe: dir.resolve('repl.groovy'))
        def completer = new ReplCompleter(dir, new Binding(), ctx, { ["use 'tdx@1'"] })
        def line = "pipeline('p') { tdx.uki(image: 'oci:x', mo"

        when:
        def found = completer.candidatesFor((ReplParser.ReplLine) new ReplParser().parse(line, line.length(), Parser.ParseContext.COMPLETE))

        then:
        found*.value().containsAll(['modules: ', 'kernel: ', 'vault: ', 'prefix: '])
        !found*.value().contains('image: ')
        found.find { it.value() == 'modules: ' }.descr().contains('kernel modules loaded before the workload')
    }
}
