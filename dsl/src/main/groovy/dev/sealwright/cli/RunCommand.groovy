package dev.sealwright.cli

import dev.sealwright.engine.Pipeline
import dev.sealwright.engine.Engine
import dev.sealwright.engine.EngineOptions
import dev.sealwright.engine.RunResult
import dev.sealwright.engine.Workspace
import dev.sealwright.engine.observe.JsonRunReport
import dev.sealwright.engine.observe.PlainConsole
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

@CompileStatic
@Command(name = 'run', mixinStandardHelpOptions = true, description = 'Run a recipe, reusing cached step results.',
        footerHeading = '%nExamples:%n', footer = ['  sealwright run samples/checksummed.groovy', '  sealwright run samples/checksummed.groovy -p title=demo --jobs 2 --report run.json', '  sealwright run recipe.groovy -C /tmp/work --fresh'])
class RunCommand implements Callable<Integer> {
    @Mixin
    RecipeOptions recipe

    @Option(names = ['-j', '--jobs'], paramLabel = 'N', description = 'steps run at the same time (default: number of CPUs)')
    Integer jobs

    @Option(names = '--report', paramLabel = 'FILE', description = 'write a JSON run report')
    Path report

    @Option(names = '--output-dir', paramLabel = 'DIR', description = 'publish outputs under DIR/<step>/ (default: out)')
    Path outputDir

    @Mixin
    ProgressOption progress

    @Override
    Integer call() {
        String progressMode = progress.requested()      // a bad --progress value is a usage error before the recipe loads
        def loaded = recipe.load()
        def result = execute(loaded.pipeline, recipe.workdir, recipe.fresh, jobs, report, outputDir, loaded.libraries, progressMode)
        return result.ok() ? Main.OK : Main.FAILED
    }

    static RunResult execute(Pipeline pipeline, Path workdir, boolean fresh, Integer jobs, Path report, Path outputDir,
                             Map<String, Object> libraries = [:], String progress = null) {
        def opts = new EngineOptions().fresh(fresh)
        if (jobs != null) opts.jobs(jobs)
        if (outputDir != null) opts.outputDir(outputDir)
        def live = progress in [null, 'live'] ? StatusLineConsole.open() : null
        opts.listener(live != null ? live : new PlainConsole(System.out))
        if (live == null && progress != null) opts.listener(new StepProgressPrinters(progress == 'live' ? 'plain' : progress, System.err))
        if (report != null) opts.listener(new JsonRunReport(report, libraries))
        def ws = new Workspace(workdir).open()
        def engine = new Engine(ws, opts)
        def finished = new CountDownLatch(1)
        def onSignal = new Thread({
            if (finished.count > 0) {
                System.err.println('\ninterrupted: stopping steps and services')
                engine.cancel()
                finished.await(20, TimeUnit.SECONDS)
            }
        } as Runnable, 'sealwright-interrupt')
        Runtime.runtime.addShutdownHook(onSignal)
        try {
            return engine.run(pipeline)
        } finally {
            finished.countDown()
            ws.close()
            try {
                Runtime.runtime.removeShutdownHook(onSignal)
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }
}
