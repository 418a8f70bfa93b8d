package dev.sealwright.cli

import dev.sealwright.base.RecipeException
import dev.sealwright.dsl.RecipeLibraries
import org.junit.platform.engine.discovery.DiscoverySelectors
import org.junit.platform.launcher.TestExecutionListener
import org.junit.platform.launcher.TestIdentifier
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder
import org.junit.platform.launcher.core.LauncherFactory
import org.junit.platform.engine.TestExecutionResult
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Parameters

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

/**
 * {@code sealwright test-recipes DIR}: loads DIR/library.groovy, compiles the Spock specs under DIR/test/ and runs
 * them with the JUnit Platform launcher, as Maven Surefire runs sealwright's own spock-tests.
 */
@Command(name = 'test-recipes', mixinStandardHelpOptions = true,
        description = ['Run a recipe library\'s own tests: the Spock specifications under DIR/test/ (see `recipes new`).',
                'Specs extend dev.sealwright.cli.LibrarySpecification, whose run(...) runs a pipeline using the library for real.',
                'Exit 0 when every test passed, 1 otherwise.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright recipes new acme && sealwright test-recipes acme'])
class TestRecipesCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'DIR', description = 'the library directory (library.groovy and test/)')
    Path dir

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        Path lib = dir.toAbsolutePath().normalize()
        Path file = lib.resolve('library.groovy')
        if (!Files.isRegularFile(file)) throw new UsageException("${dir}: no library.groovy (give a library directory, e.g. one made by `sealwright recipes new NAME`)")
        RecipeLibraries.load(Files.readString(file), file.toString())
        Path tests = lib.resolve('test')
        List<Path> sources = Files.isDirectory(tests) ? Files.walk(tests).withCloseable { s -> s.filter { it.toString().endsWith('Spec.groovy') }.sorted().toList() } : []
        if (sources.isEmpty()) throw new RecipeException("${tests}: no *Spec.groovy files to run")

        def loader = new GroovyClassLoader(TestRecipesCommand.classLoader)
        loader.addClasspath(tests.toString())
        List<Class> specs = sources.collect { Path src ->
            try {
                loader.parseClass(src.toFile())
            } catch (Exception e) {
                throw new RecipeException("${src}: does not compile: ${e.message?.readLines()?.find { it.trim() }}")
            }
        }
        String old = System.getProperty(LibrarySpecification.LIBRARY)
        System.setProperty(LibrarySpecification.LIBRARY, lib.toString())
        Thread t = Thread.currentThread()
        ClassLoader oldLoader = t.contextClassLoader
        t.contextClassLoader = loader
        def listener = new Summary(!json.wanted())
        try {
            def request = LauncherDiscoveryRequestBuilder.request().selectors(specs.collect { DiscoverySelectors.selectClass(it) }).build()
            LauncherFactory.create().execute(request, listener)
        } finally {
            t.contextClassLoader = oldLoader
            if (old == null) System.clearProperty(LibrarySpecification.LIBRARY) else System.setProperty(LibrarySpecification.LIBRARY, old)
        }
        if (json.wanted())      // schema docs/schemas/test-recipes.schema.json
            json.print([library: lib.toString(), passed: listener.passed, failed: listener.failed, tests: listener.results])
        else
            println "${listener.passed} passed, ${listener.failed} failed"
        return listener.failed == 0 && listener.passed > 0 ? Main.OK : Main.FAILED
    }

    /**
     * Counts tests and, when {@code lines}, prints one line per finished test with the first line of a failure's
     * message; it keeps each result for {@code --json}.
     */
    static class Summary implements TestExecutionListener {
        final boolean lines
        int passed, failed
        final List<Map<String, Object>> results = []

        Summary(boolean lines) { this.lines = lines }

        private void say(String text) { if (lines) println text }

        private void record(TestIdentifier id, boolean ok, String message) {
            Map<String, Object> r = [name: id.displayName, kind: id.isTest() ? 'test' : 'container', status: ok ? 'passed' : 'failed']
            if (message != null) r.message = message
            results << r
        }

        @Override
        void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest()) {
                if (result.status != TestExecutionResult.Status.SUCCESSFUL) {
                    failed++
                    String first = result.throwable.map { it.message?.readLines()?.find { l -> l.trim() } ?: it.class.simpleName }.orElse('')
                    record(id, false, first)
                    say "FAIL ${id.displayName}: ${first}"
                }
                return
            }
            if (result.status == TestExecutionResult.Status.SUCCESSFUL) {
                passed++
                record(id, true, null)
                say "ok   ${id.displayName}"
            } else {
                failed++
                String why = result.throwable.map { it.message ?: it.class.simpleName }.orElse(result.status.toString())
                record(id, false, why)
                say "FAIL ${id.displayName}\n" + why.readLines().collect { '     ' + it }.join('\n')
            }
        }
    }
}
