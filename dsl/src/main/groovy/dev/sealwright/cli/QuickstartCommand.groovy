package dev.sealwright.cli

import dev.sealwright.dsl.RecipeLoader
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.Step
import dev.sealwright.tools.Doctor
import dev.sealwright.tools.ToolRegistry
import dev.sealwright.tools.Tools
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'quickstart', mixinStandardHelpOptions = true,
        description = ['Install the Debian packages samples/quickstart.groovy needs (as root), then run it end to end.'])
class QuickstartCommand implements Callable<Integer> {
    @Option(names = '--fresh', description = 'ignore cached results')
    boolean fresh

    @Option(names = ['-j', '--jobs'], paramLabel = 'N', description = 'steps run at the same time')
    Integer jobs

    @Override
    Integer call() {
        Path home = Path.of(System.getProperty('sealwright.home', ''))
        Path recipe = home.resolve('samples/quickstart.groovy')
        if (!Files.isRegularFile(recipe)) throw new RecipeException("quickstart recipe not found at ${recipe.toAbsolutePath()}")
        installPackages(home.resolve('samples/quickstart.packages'))
        def loaded = RecipeLoader.load(recipe)
        ensureTools(loaded.pipeline.steps())
        def result = RunCommand.execute(loaded.pipeline, Path.of(''), fresh, jobs, Path.of('out/quickstart-report.json'), null)
        if (result.ok()) println "outputs: ${Path.of('out').toAbsolutePath()}  (report: out/quickstart-report.json)"
        return result.ok() ? Main.OK : Main.FAILED
    }

    /** The Debian packages the quickstart's inputs come from (firmware files are checked when the recipe loads). */
    private static void installPackages(Path list) {
        if (!Files.isRegularFile(list)) return
        def wanted = Files.readAllLines(list)*.trim().findAll { it && !it.startsWith('#') }
        def doctor = new Doctor(new Tools())
        def missing = doctor.missingPackages(wanted)
        if (missing.isEmpty()) return
        println "installing Debian packages for the quickstart: ${missing.join(' ')}"
        doctor.install(missing)
    }

    /** Installs Debian packages for tools the quickstart's steps run, when missing and running as root. */
    private static void ensureTools(List<Step> steps) {
        def tools = new Tools()
        Set<String> needed = new TreeSet<>()
        steps.each { Step s -> needed.addAll(s.type().tools(s.options())) }
        def missing = needed.findAll { tools.locate(it).isEmpty() }
        if (missing.isEmpty()) return
        Set<String> pkgs = missing.collect { ToolRegistry.get(it)?.debianPackage() ?: it } as LinkedHashSet<String>
        println "installing Debian packages for the quickstart: ${pkgs.join(' ')}"
        new Doctor(tools).install(pkgs)
    }
}
