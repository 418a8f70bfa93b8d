package dev.sealwright.engine

import dev.sealwright.base.RecipeException
import dev.sealwright.base.SourceLocation

import dev.sealwright.cli.HostileInputSpec
import dev.sealwright.cli.Main
import dev.sealwright.dsl.RecipeErrors
import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.lang.reflect.Constructor
import java.lang.reflect.Modifier
import java.nio.file.Files
import java.nio.file.Path
import java.util.jar.JarFile

/**
 * Issue 15: every error is one line, by construction. {@link RecipeException} escapes its message,
 * so no parser can produce a second line, whatever it echoes from its input. Proved on every
 * RecipeException class the build contains (found by scanning the runtime and dsl classes, so a new
 * subclass is covered without touching this spec), then through the CLI with hostile bytes in a
 * file, a file name and an option value.
 */
class OneLineErrorSpec extends Specification {
    /** Line feed, carriage return, tab, NUL, ESC (a terminal colour sequence), DEL, NEL, CSI (C1), U+2028, U+2029. */
    static final String HOSTILE = 'a\nb\rc\td\u0000e\u001b[31mf\u007fg\u0085h\u009bi\u2028j\u2029k'
    /** The same, written out by hand: C0/DEL/C1 as \xNN, the separators as \\uNNNN. */
    static final String ESCAPED = 'a\\x0ab\\x0dc\\x09d\\x00e\\x1b[31mf\\x7fg\\x85h\\x9bi\\u2028j\\u2029k'
    /** Whatever a terminal or a line-based reader may take as a line break or control sequence. */
    static final String BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

    @TempDir
    Path dir

    /** Every concrete public class that is a RecipeException, in the jars or class folders of the runtime and the dsl. */
    static List<Class<? extends RecipeException>> recipeExceptionClasses() {
        Set<String> names = new TreeSet<>()
        [RecipeException, Main].each { Class<?> anchor ->
            Path where = Path.of(anchor.protectionDomain.codeSource.location.toURI())
            if (Files.isDirectory(where)) {
                Files.walk(where).withCloseable { s ->
                    s.filter { it.toString().endsWith('.class') }.each { Path p ->
                        names << where.relativize(p).toString().replace('/', '.').replaceAll(/\.class$/, '')
                    }
                }
            } else {
                new JarFile(where.toFile()).withCloseable { jar ->
                    jar.entries().each { e -> if (e.name.endsWith('.class')) names << e.name.replace('/', '.').replaceAll(/\.class$/, '') }
                }
            }
        }
        def loader = OneLineErrorSpec.classLoader
        names.findAll { !it.contains('$') && it.startsWith('dev.sealwright.') }
                .collect { Class.forName(it, false, loader) }
                .findAll { RecipeException.isAssignableFrom(it) && !Modifier.isAbstract(it.modifiers) }
                as List<Class<? extends RecipeException>>
    }

    /** Each public constructor of {@code type}, called with HOSTILE for every String (1 for numbers, null otherwise). */
    static List<RecipeException> hostileInstances(Class<? extends RecipeException> type) {
        type.constructors.collect { Constructor<?> c ->
            Object[] args = c.parameterTypes.collect { Class<?> p ->
                p == String ? HOSTILE : p == int || p == long ? 1 : null
            } as Object[]
            (RecipeException) c.newInstance(args)
        }
    }

    def "the scan finds the RecipeException classes, subclasses of runtime and dsl included"() {
        expect: 'a scan that found nothing would make the next feature pass without testing'
        recipeExceptionClasses()*.simpleName.toSet().containsAll(['RecipeException', 'TpmFormatException', 'ToolFailedException',
                'ToolNotFoundException', 'QuoteRejectedException', 'ParameterOverrideException'])
    }

    def "#type.simpleName built with control characters and line separators has a one-line message, as the CLI prints it"() {
        expect:
        def instances = hostileInstances(type)
        !instances.isEmpty()
        instances.each { RecipeException e ->
            assert e.message.contains(ESCAPED)
            assert !(e.message =~ BREAKS)
            def r = report(e)
            def lines = r.err.readLines()
            assert lines[0].contains(ESCAPED) && !(lines[0] =~ BREAKS)
            // a usage error (ParameterOverrideException: a bad -p) adds the help hint as its own line
            assert lines.size() == (r.exitCode == Main.USAGE ? 2 : 1)
        }

        where:
        type << recipeExceptionClasses()
    }

    def "a located error: the file name is escaped too, and only the recipe excerpt goes below it"() {
        given:
        def recipe = Files.writeString(dir.resolve('recipe.groovy'), "pipeline('p') {\n    digest { from file('x') }\n}\n")
        def unreadable = dir.resolve('evil\nname.groovy')

        expect: 'a recipe that cannot be read: one line'
        RecipeErrors.render(new RecipeException(HOSTILE, new SourceLocation(unreadable, 2, 5))) ==
                "evil\\x0aname.groovy:2:5: ${ESCAPED}"

        and: 'a readable recipe: the headline, the source line and the caret'
        RecipeErrors.render(new RecipeException(HOSTILE, new SourceLocation(recipe, 2, 5))).readLines() ==
                ["recipe.groovy:2:5: ${ESCAPED}".toString(), " 2 |     digest { from file('x') }", '   |     ^']
    }

    def "other exceptions and usage errors are escaped on the way out"() {
        expect:
        report(new IllegalStateException(HOSTILE)).err == "error: IllegalStateException: ${ESCAPED}\n"
        Engine.message(new IllegalStateException(HOSTILE)) == "IllegalStateException: ${ESCAPED}"
        Engine.message(new java.nio.file.NoSuchFileException("/tmp/${HOSTILE}")) == "no such file: /tmp/${ESCAPED}"
    }

    /** tpm seal with valid inputs except those given (an ECC SRK public area, PCR 7 of zeros, a short secret). */
    private Cli.Result seal(Map<String, String> hostile) {
        def srk = Files.write(dir.resolve('srk.pub'), HostileInputSpec.eccSrkPublic())
        def pcrs = hostile.pcrValues ?: Files.writeString(dir.resolve('pcrs.json'), '{"sha256": {"7": "' + '00' * 32 + '"}}').toString()
        def secret = Files.writeString(dir.resolve('secret'), 's3cret')
        Cli.run('tpm', 'seal', '--srk-pub', "${srk}", '--pcrs', hostile.pcrs ?: 'sha256:7', '--pcr-values', pcrs,
                '--secret-file', "${secret}", '--out', "${dir.resolve('out')}")
    }

    def "CLI: the happy path of the entry point below seals (so its errors come from the hostile input)"() {
        expect:
        seal([:]).exitCode == 0
    }

    def "CLI: a PCR values file whose bank name holds a newline and U+2028 is one error line"() {
        given: 'JSON escapes, which Jackson decodes into the real characters'
        def pcrs = Files.writeString(dir.resolve('hostile.json'), '{"sha256\\nerror: forged\\u2028line": {"7": "' + '00' * 32 + '"}}')

        when:
        def r = seal(pcrValues: pcrs.toString())

        then:
        r.exitCode == 1
        r.err.readLines().size() == 1
        !(r.err.trim() =~ BREAKS)
        r.err.contains('sha256\\x0aerror: forged\\u2028line')
        r.err.contains("${pcrs}")
    }

    def "CLI: an option value with a newline and an escape sequence is one usage line (exit 2)"() {
        when: 'a PCR selection is parsed by sealwright'
        def r = seal(pcrs: "sha256\n\u001b[2J:7")

        then: 'a bad --pcrs is a usage error (BadValueException): the error line and the hint'
        r.exitCode == 2
        r.err.readLines().size() == 2
        !(r.err.readLines()[0] =~ BREAKS)
        r.err.readLines()[0].contains('sha256\\x0a\\x1b[2J')

        when: 'an int option is parsed by picocli, which echoes the value'
        def u = Cli.run('measure', 'snp', '--vcpus', "1\nerror: forged\u2029", '--vcpu-type', 'EPYC-v4', '--ovmf', "${dir}/ovmf.fd")

        then: 'the usage error and the hint: two lines, not four'
        u.exitCode == 2
        u.err.readLines().size() == 2
        u.err.readLines()[0].startsWith('sealwright: ')
        u.err.readLines()[0].contains('1\\x0aerror: forged\\u2029')
        !(u.err.readLines()[0] =~ BREAKS)
        u.err.readLines()[1].startsWith('try: ')
    }

    def "CLI: a file name with a newline and ESC is named in one line"() {
        given:
        def evil = dir.resolve("quote\nerror: forged\u001b[31m")

        when:
        def r = Cli.run('quote', 'show', "${evil}")

        then:
        r.exitCode == 1
        r.err.readLines().size() == 1
        r.err.contains('quote\\x0aerror: forged\\x1b[31m')
        !(r.err.trim() =~ BREAKS)
    }

    private static Cli.Result report(Exception e) {
        def errBuf = new ByteArrayOutputStream()
        def old = System.err
        System.err = new PrintStream(errBuf, true, 'UTF-8')
        int code
        try {
            code = Main.report(e, Main.commandLine())
        } finally {
            System.err = old
        }
        new Cli.Result(exitCode: code, out: '', err: errBuf.toString('UTF-8'))
    }
}
