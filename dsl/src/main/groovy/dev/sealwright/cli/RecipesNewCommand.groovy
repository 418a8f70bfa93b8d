package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

/** {@code sealwright recipes new NAME}: a library directory with one recipe, a spec and its fixture, ready for test-recipes. */
@CompileStatic
@Command(name = 'new', mixinStandardHelpOptions = true,
        description = ['Scaffold a recipe library: DIR/NAME/library.groovy (one recipe), DIR/NAME/test/<Name>Spec.groovy and a fixture.',
                'Run its tests with `sealwright test-recipes DIR/NAME`; use it with `use \'./NAME\'`.'])
class RecipesNewCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'NAME', description = 'library name: a Groovy identifier such as acme (it is how recipes call it: acme.sums(...))')
    String name

    @Option(names = '--dir', paramLabel = 'DIR', description = 'where to create the NAME directory (default: current)')
    Path dir = Path.of('')

    @Mixin
    ForceOption overwrite

    @Override
    Integer call() {
        if (!(name ==~ /[a-z][A-Za-z0-9]*/)) throw new UsageException("NAME '${name}' is not a library name: a lower-case letter, then letters or digits (e.g. acme)")
        Path root = dir.resolve(name)
        String spec = name.capitalize() + 'Spec'
        Map<Path, String> files = [
                (root.resolve('library.groovy'))           : library(),
                (root.resolve('test/' + spec + '.groovy')) : test(spec),
                (root.resolve('test/site/a.txt'))          : 'hello\n',
        ] as LinkedHashMap<Path, String>
        overwrite.refuseExisting(files.keySet() as Path[])
        files.each { Path f, String text ->
            Files.createDirectories(f.parent)
            AtomicFiles.write(f, text.getBytes(StandardCharsets.UTF_8))
        }
        println "created ${root}: library.groovy, test/${spec}.groovy, test/site/a.txt"
        println "  test it:  sealwright test-recipes ${root}"
        println "  use it:   use '${root.isAbsolute() ? root : './' + root}'   (then ${name}.sums(dir: file('site')))"
        return Main.OK
    }

    private String library() {
        """\
        // Recipe library `${name}`. Use it with:  use './${name}'   (or share it from git or a Maven repository: docs/recipes.md)
        // `sealwright recipes show` describes the standard libraries; a recipe here is made of public steps (sealwright steps).
        library '${name}', version: '0.1.0', description: 'what the ${name} library is for'

        recipe('sums') {
            description 'SHA-256 of every file of a directory, in sha256sum format'
            param 'dir', 'the directory to hash (file(...) or a directory output of a step)', type: 'file'
            param 'prefix', 'first word of the step names', type: 'string', default: '${name}'
            output 'sums', 'SHA256SUMS'
            example "def s = ${name}.sums(dir: file('site'))"
            body { args ->
                def d = digest("\${args.prefix}-sums") { from args.dir }
                [sums: d.sums]
            }
        }
        """.stripIndent()
    }

    private String test(String spec) {
        """\
        import dev.sealwright.cli.LibrarySpecification

        import java.security.MessageDigest

        /** Runs ${name}'s recipes for real (sealwright test-recipes ${name}); expected values come from the JDK, not from sealwright. */
        class ${spec} extends LibrarySpecification {
            def "sums: SHA256SUMS lists each file with the digest the JDK computes"() {
                when:
                def r = run("${name}.sums(dir: file('\${fixture('site')}'))")

                then:
                r.exitCode == 0
                r.out('${name}-sums', 'SHA256SUMS').text == MessageDigest.getInstance('SHA-256').digest('hello\\n'.bytes).encodeHex().toString() + '  a.txt\\n'
            }
        }
        """.stripIndent()
    }
}
