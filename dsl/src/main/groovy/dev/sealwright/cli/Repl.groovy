package dev.sealwright.cli

import dev.sealwright.dsl.CompiledRecipes
import dev.sealwright.dsl.RecipeErrors
import dev.sealwright.dsl.RecipeLibraries
import dev.sealwright.dsl.RecipeScript
import dev.sealwright.dsl.ScriptLocator
import dev.sealwright.dsl.SourceIndex
import dev.sealwright.engine.AtomicFiles
import dev.sealwright.engine.Engine
import dev.sealwright.engine.EngineOptions
import dev.sealwright.engine.RecipeException
import dev.sealwright.engine.StepTypes
import dev.sealwright.engine.Workspace
import dev.sealwright.engine.observe.PlainConsole
import org.jline.reader.EndOfFileException
import org.jline.reader.LineReader
import org.jline.reader.LineReaderBuilder
import org.jline.reader.UserInterruptException
import org.jline.reader.impl.DefaultParser
import org.jline.reader.impl.completer.AggregateCompleter
import org.jline.reader.impl.completer.StringsCompleter
import org.jline.builtins.Completers
import org.jline.terminal.Terminal

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/**
 * Interactive DSL session on JLine 3: persistent bindings, multi-line input while brackets or
 * quotes are open, completion, history, and {@code :plan}/{@code :run} on the pipeline declared
 * last. Works on dumb terminals and with piped input, so scripts can drive it.
 */
class Repl {
    static final String HELP = '''\
        Type Groovy DSL: pipeline('name') { ... } declares (or re-declares) the session's pipeline.
          :plan                 show what :run would do
          :run [--fresh] [-j N] run the pipeline (Ctrl-C cancels the run, not the REPL)
          :load FILE            evaluate a recipe file in this session
          :save FILE            write this session's declarations as a recipe script
          :steps                list step types
          :help                 this text
          :quit                 leave (also Ctrl-D)'''.stripIndent()

    private static final String CANCELLED = 'run cancelled (Ctrl-C); the session goes on'

    private final Terminal terminal
    private final Path workdir
    private final PrintWriter out
    private final RecipeScript.RecipeContext ctx
    private final Binding binding
    private final GroovyShell shell
    private final List<String> accepted = []
    private int failures

    Repl(Terminal terminal, Path workdir) {
        this.terminal = terminal
        this.workdir = workdir.toAbsolutePath()
        this.out = terminal.writer()
        Path virtual = this.workdir.resolve('repl.groovy')
        ctx = new RecipeScript.RecipeContext(recipe: virtual, overrides: [:], redefine: true,
                locator: new ScriptLocator(virtual, new SourceIndex('')))
        binding = new Binding((RecipeScript.CONTEXT): ctx)
        shell = new GroovyShell(Repl.classLoader, binding, CompiledRecipes.configuration())
    }

    /** Reads and evaluates until EOF or :quit. Returns 1 when input was piped and something failed. */
    int run() {
        def reader = LineReaderBuilder.builder().terminal(terminal).appName('sealwright')
                .parser(parser()).completer(completer())
                .variable(LineReader.HISTORY_FILE, historyFile())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, '%P...> ')
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build()
        out.println("sealwright REPL (${dev.sealwright.Sealwright.version()}): :help for commands")
        out.flush()
        while (true) {
            String input
            try {
                input = reader.readLine('sealwright> ')
            } catch (UserInterruptException ignored) {
                continue
            } catch (EndOfFileException ignored) {
                break
            }
            if (input == null) break
            String line = input.trim()
            if (line.isEmpty()) continue
            if (line in [':quit', ':exit', ':q']) break
            handle(line)
            out.flush()
        }
        out.flush()
        return failures > 0 && terminal.type.startsWith('dumb') ? 1 : 0
    }

    void handle(String line) {
        try {
            if (line.startsWith(':')) command(line)
            else evaluate(line, true)
        } catch (RecipeException e) {
            failures++
            out.println(RecipeErrors.render(e))
        } catch (Exception e) {
            failures++
            out.println("error: ${e.getClass().simpleName}: ${e.message}")
        }
    }

    private void evaluate(String text, boolean remember) {
        ctx.locator = new ScriptLocator(ctx.recipe, new SourceIndex(text, 'repl.groovy'))
        Object result
        try {
            result = shell.evaluate(text, 'repl.groovy')
        } catch (RecipeException e) {
            throw e.location().known() ? e : new RecipeException(e.message, ctx.locator.locate(e))
        } catch (MissingPropertyException e) {
            throw new RecipeException("unknown name '${e.property}'", ctx.locator.locate(e, e.property))
        } catch (MissingMethodException e) {
            throw new RecipeException("no step or function '${e.method}'", ctx.locator.locate(e, e.method))
        } catch (org.codehaus.groovy.control.MultipleCompilationErrorsException e) {
            throw new RecipeException("syntax error: ${e.errorCollector.errors ? e.errorCollector.errors[0].properties.cause?.originalMessage ?: e.message.readLines()[1] : e.message}")
        }
        if (remember) accepted << text
        if (result instanceof dev.sealwright.engine.Pipeline) {
            def p = (dev.sealwright.engine.Pipeline) result
            out.println("pipeline ${p.name()}: ${p.steps()*.name().join(', ')}")
        } else if (result != null) {
            out.println("===> ${result}")
        }
    }

    private void command(String line) {
        def words = line.split(/\s+/) as List<String>
        switch (words[0]) {
            case ':help': out.println(HELP); break
            case ':steps': StepTypes.all().each { out.println("  ${it.name().padRight(12)} ${it.description()}") }; break
            case ':load':
                Path f = workdir.resolve(arg(words, ':load FILE'))
                if (!Files.isRegularFile(f)) throw new RecipeException("${f}: no such file")
                evaluate(Files.readString(f), true)
                break
            case ':save':
                Path target = workdir.resolve(arg(words, ':save FILE'))
                AtomicFiles.write(target, (accepted.join('\n') + '\n').getBytes(StandardCharsets.UTF_8))
                out.println("saved ${accepted.size()} declarations to ${target}")
                break
            case ':plan':
                def plan = new Engine(new Workspace(workdir), new EngineOptions()).plan(pipeline())
                plan.entries().each { out.println("  ${it.action().name().toLowerCase().padRight(6)}  ${it.step().name()}${it.reasons() ? '  (' + it.reasons().join('; ') + ')' : ''}") }
                break
            case ':run': runPipeline(words.drop(1)); break
            default: throw new RecipeException("unknown command ${words[0]} (:help lists them)")
        }
    }

    private void runPipeline(List<String> args) {
        def opts = new EngineOptions().fresh(args.contains('--fresh')).listener(new PlainConsole(new PrintStream(terminal.output(), true)))
        int j = args.indexOf('-j')
        if (j >= 0 && j + 1 < args.size()) opts.jobs(args[j + 1] as int)
        def ws = new Workspace(workdir).open()
        def engine = new Engine(ws, opts)
        // Ctrl-C on a terminal also signals the step's own processes (same process group), so a step
        // may fail before the handler cancels the run: either way the run was cancelled by the user
        def interrupted = new java.util.concurrent.atomic.AtomicBoolean()
        def previous = terminal.handle(Terminal.Signal.INT, { interrupted.set(true); engine.cancel() } as Terminal.SignalHandler)
        try {
            def r = engine.run(pipeline())
            if (!r.ok()) failures++
            if (interrupted.get()) out.println(CANCELLED)
        } catch (java.util.concurrent.CancellationException ignored) {
            failures++
            out.println(CANCELLED)
        } finally {
            terminal.handle(Terminal.Signal.INT, previous)
            ws.close()
        }
    }

    private dev.sealwright.engine.Pipeline pipeline() {
        if (ctx.pipeline == null) throw new RecipeException("no pipeline declared yet: pipeline('name') { ... }")
        ctx.pipeline
    }

    private static String arg(List<String> words, String usage) {
        if (words.size() < 2) throw new RecipeException("usage: ${usage}")
        words[1]
    }

    private static DefaultParser parser() {
        def p = new DefaultParser()
        p.setEofOnUnclosedBracket(DefaultParser.Bracket.CURLY, DefaultParser.Bracket.ROUND, DefaultParser.Bracket.SQUARE)
        p.setEofOnUnclosedQuote(true)
        p.setEscapeChars(new char[0])
        return p
    }

    private AggregateCompleter completer() {
        Set<String> words = new TreeSet<>(['pipeline', 'params', 'file', 'secret', 'use', 'step',
                                           ':help', ':load', ':save', ':plan', ':run', ':steps', ':quit'])
        StepTypes.all().each { t -> words << t.name(); t.options().each { words << it.name() } }
        RecipeLibraries.available().each { words << it }
        new AggregateCompleter(new StringsCompleter(words), new Completers.FileNameCompleter())
    }

    private static Path historyFile() {
        String xdg = System.getenv('XDG_CONFIG_HOME')
        Path dir = (xdg ? Path.of(xdg) : Path.of(System.getProperty('user.home'), '.config')).resolve('sealwright')
        Files.createDirectories(dir)
        return dir.resolve('history')
    }
}
