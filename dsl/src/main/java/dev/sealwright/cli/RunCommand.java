package dev.sealwright.cli;

import dev.sealwright.dsl.LoadedRecipe;
import dev.sealwright.engine.Engine;
import dev.sealwright.engine.EngineOptions;
import dev.sealwright.engine.Pipeline;
import dev.sealwright.engine.RunListener;
import dev.sealwright.engine.RunResult;
import dev.sealwright.engine.Workspace;
import dev.sealwright.engine.observe.JsonRunReport;
import dev.sealwright.engine.observe.PlainConsole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.reflect.InvocationTargetException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code sealwright run}. Java, so that a recipe taken from the configuration cache runs without
 * loading Groovy (docs/engine.md, "Configuration cache"); a terminal's live display
 * ({@code StatusLineConsole}) is Groovy and is loaded only when there is a console to draw on, and the
 * per-step printers of {@code --progress=plain|json} ({@code StepProgressPrinters}) only when asked for.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a recipe, reusing cached step results.",
        footerHeading = "%nExamples:%n", footer = {"  sealwright run samples/checksummed.groovy",
                "  sealwright run samples/checksummed.groovy -p title=demo --jobs 2 --report run.json", "  sealwright run recipe.groovy -C /tmp/work --fresh"})
public class RunCommand implements Callable<Integer> {
    @Mixin
    RecipeOptions recipe;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "steps run at the same time (default: number of CPUs)")
    Integer jobs;

    @Option(names = "--report", paramLabel = "FILE", description = "write a JSON run report")
    Path report;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "publish outputs under DIR/<step>/ (default: out)")
    Path outputDir;

    /** The same option as ProgressOption's (Groovy, so not a mixin here): the mode is all run needs. */
    @Option(names = "--progress", arity = "0..1", paramLabel = "live|plain|json", fallbackValue = "live",
            parameterConsumer = KnownValueConsumer.Progress.class, preprocessor = KnownValueConsumer.Progress.class,
            description = "show bytes, percent, rate and ETA (boot waits: seconds of the timeout) on stderr: live (one rewritten line; the default on a terminal), plain (a line a second) or json (one object a line)")
    String progress;

    @Override
    public Integer call() {
        if (progress != null && !List.of("live", "plain", "json").contains(progress))   // a usage error before the recipe loads
            throw new UsageException("--progress=" + progress + ": expected live, plain or json");
        LoadedRecipe loaded = recipe.load();
        RunResult result = execute(loaded.pipeline, recipe.workdir, recipe.fresh, jobs, report, outputDir, loaded.libraries, progress);
        return result.ok() ? Main.OK : Main.FAILED;
    }

    public static RunResult execute(Pipeline pipeline, Path workdir, boolean fresh, Integer jobs, Path report, Path outputDir) {
        return execute(pipeline, workdir, fresh, jobs, report, outputDir, Map.of(), null);
    }

    /** {@code progress}: null (live on a console), live, plain or json. */
    public static RunResult execute(Pipeline pipeline, Path workdir, boolean fresh, Integer jobs, Path report, Path outputDir,
                                    Map<String, Object> libraries, String progress) {
        EngineOptions opts = new EngineOptions().fresh(fresh);
        if (jobs != null) opts.jobs(jobs);
        if (outputDir != null) opts.outputDir(outputDir);
        RunListener live = progress == null || progress.equals("live") ? liveDisplay() : null;
        opts.listener(live != null ? live : new PlainConsole(System.out));
        if (live == null && progress != null) opts.listener(stepProgressPrinters(progress.equals("live") ? "plain" : progress, System.err));
        if (report != null) opts.listener(new JsonRunReport(report, libraries));
        Workspace ws = new Workspace(workdir).open();
        Engine engine = new Engine(ws, opts);
        CountDownLatch finished = new CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            if (finished.getCount() > 0) {
                System.err.println("\ninterrupted: stopping steps and services");
                engine.cancel();
                try {
                    finished.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "sealwright-interrupt");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return engine.run(pipeline);
        } finally {
            finished.countDown();
            ws.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /** new StepProgressPrinters(mode, out), loaded only when --progress asks for it. */
    private static RunListener stepProgressPrinters(String mode, PrintStream out) {
        try {
            return (RunListener) Main.load("dev.sealwright.cli.StepProgressPrinters").getConstructor(String.class, PrintStream.class).newInstance(mode, out);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** StatusLineConsole.open(), or null without a console (then nothing can be redrawn, and Groovy stays unloaded). */
    private static RunListener liveDisplay() {
        if (System.console() == null) return null;
        try {
            return (RunListener) Main.load("dev.sealwright.cli.StatusLineConsole").getMethod("open").invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
