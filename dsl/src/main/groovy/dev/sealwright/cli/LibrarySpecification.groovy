package dev.sealwright.cli

import dev.sealwright.base.Json
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * Base of a recipe library's own Spock specs, run by {@code sealwright test-recipes DIR} (the same Spock as
 * sealwright's spock-tests): {@link #run} writes a recipe that uses the library under test and runs it through the
 * CLI in a fresh workspace, so a spec checks what the library's steps really produce.
 * <pre>
 * class AcmeSpec extends LibrarySpecification {
 *     def "sums hashes the directory"() {
 *         when: def r = run("acme.sums(of: file('${fixture('site')}'))")
 *         then: r.exitCode == 0 &amp;&amp; r.out('acme-sums', 'SHA256SUMS').text.contains('a.txt')
 *     }
 * }
 * </pre>
 */
abstract class LibrarySpecification extends Specification {
    /** System property naming the library directory; test-recipes sets it. */
    static final String LIBRARY = 'sealwright.test.library'

    /** The library directory under test (holding library.groovy and test/). */
    static Path library() {
        String dir = System.getProperty(LIBRARY)
        if (!dir) throw new IllegalStateException("run library specs with: sealwright test-recipes DIR (${LIBRARY} is not set)")
        Path.of(dir).toAbsolutePath().normalize()
    }

    /** A file under the library's test/ directory (fixtures). */
    static Path fixture(String rel) { library().resolve('test').resolve(rel) }

    /** What {@link #run} returns: exit code, console text, the run report, and the published outputs. */
    static class Run {
        int exitCode
        String console
        Map report
        Path workdir

        /** {@code out/STEP/FILE} of the run. */
        File out(String step, String file) { workdir.resolve('out').resolve(step).resolve(file).toFile() }

        /** The values a step reported (run report), e.g. a digest. */
        Map values(String step) { (report?.steps?.find { it.name == step }?.values ?: [:]) as Map }
    }

    /** Runs {@code pipeline('test') { BODY }} after {@code use '<library>'}, in a fresh workspace. */
    Run run(String body) {
        Path ws = Files.createTempDirectory('sealwright-library-test')
        Path recipe = ws.resolve('test.groovy')
        Files.writeString(recipe, "use '${library()}'\npipeline('test') {\n${body}\n}\n")
        Path report = ws.resolve('run.json')
        def out = new ByteArrayOutputStream()
        def oldOut = System.out, oldErr = System.err
        def both = new PrintStream(out, true, 'UTF-8')
        System.out = both
        System.err = both
        int code
        try {
            code = Main.execute('run', recipe.toString(), '-C', ws.toString(), '--report', report.toString())
        } finally {
            System.out = oldOut
            System.err = oldErr
        }
        new Run(exitCode: code, console: out.toString('UTF-8'), workdir: ws,
                report: Files.isRegularFile(report) ? Json.MAPPER.readValue(report.toFile(), Map) : null)
    }
}
