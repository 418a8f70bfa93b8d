package dev.sealwright.cli

import dev.sealwright.engine.Pipeline
import dev.sealwright.dsl.CompiledRecipes
import dev.sealwright.dsl.RecipeErrors
import dev.sealwright.dsl.RecipeScript
import dev.sealwright.dsl.ScriptLocator
import dev.sealwright.dsl.SourceIndex
import dev.sealwright.dsl.StepWords
import dev.sealwright.base.AtomicFiles
import dev.sealwright.engine.Engine
import dev.sealwright.engine.EngineOptions
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepTypes
import dev.sealwright.engine.Workspace
import dev.sealwright.engine.observe.PlainConsole
import org.jline.reader.EndOfFileException
import org.jline.reader.LineReader
import org.jline.reader.LineReaderBuilder
import org.jline.reader.MaskingCallback
import org.jline.reader.Parser
import org.jline.reader.UserInterruptException
import org.jline.reader.impl.DefaultHighlighter
import org.jline.terminal.Terminal

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.function.Consumer
import java.util.function.Supplier

/**
 * Interactive DSL session on JLine 3: persistent bindings, multi-line input while brackets or
 * quotes are open, completion, history, and {@code :plan}/{@code :run} on the pipeline declared
 * last. Works on dumb terminals and with piped input, so scripts can drive it.
 */
class Repl {
    static final String HELP = '''\
        Type Groovy DSL: pipeline('name') { ... } declares (or re-declares) the session's pipeline;
        def variables stay for later lines. Tab completes step types, a step's options inside its
        block, handle.outputs, use '...' libraries and file('...') paths.
          :plan                 show what :run would do
          :run [--fresh] [-j N] run the pipeline (Ctrl-C cancels the run, not the REPL)
          :load FILE            evaluate a recipe file in this session
          :save FILE [--force]  write this session's declarations as a recipe script
          :steps                list step types
          :help                 this text
          :quit                 leave (also Ctrl-D)'''.stripIndent()

    private static final String CANCELLED = 'run cancelled (Ctrl-C); the session goes on'

    private final Terminal terminal
    private final boolean interactive
    private final Path workdir
    private final PrintWriter out
    private final RecipeScript.RecipeContext ctx
    private final Binding binding
    private final GroovyShell shell
    private final ReplDeclarations declarations = new ReplDeclarations()
    /** Texts evaluated without error, in order: what :save writes. */
    private final List<Entry> entries = []
    private int failures

    /** One evaluated text, its top-level declarations, and whether it declared the pipeline. */
    private static class Entry {
        String text
        List<ReplDeclarations.Declaration> declarations
        boolean declaresPipeline
    }

    /** {@code interactive}: a person at a terminal (failures do not change the exit code). */
    Repl(Terminal terminal, Path workdir, boolean interactive) {
        this.terminal = terminal
        this.interactive = interactive
        this.workdir = workdir.toAbsolutePath()
        this.out = terminal.writer()
        Path virtual = this.workdir.resolve('repl.groovy')
        ctx = new RecipeScript.RecipeContext(recipe: virtual, overrides: [:], redefine: true,
                locator: new ScriptLocator(virtual, new SourceIndex('')))
        binding = new Binding((RecipeScript.CONTEXT): ctx)
        def config = CompiledRecipes.configuration()
        config.addCompilationCustomizers(declarations)
        shell = new GroovyShell(Repl.classLoader, binding, config)
    }

    /** Reads and evaluates until EOF or :quit. Returns 1 when input was not a terminal and something failed. */
    int run() {
        LineReader reader = null
        Consumer<String> report = { String line ->
            if (reader != null) reader.printAbove(line)
            else { out.println(line); out.flush() }
        } as Consumer<String>
        def jlineLog = ReplGuards.reportJlineLog(report)
        try {
            reader = LineReaderBuilder.builder().terminal(terminal).appName('sealwright')
                    .parser(new ReplParser())
                    .completer(new ReplCompleter(workdir, binding, ctx, { -> entries*.text } as Supplier<List<String>>))
                    .highlighter(new ReplGuards.Highlighting(new DefaultHighlighter(), report))
                    .variable(LineReader.HISTORY_FILE, historyFile())
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, '%P...> ')
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build()
            warmUp()
            out.println("sealwright REPL (${dev.sealwright.Sealwright.version()}): :help for commands")
            out.flush()
            readEvaluate(reader)
        } finally {
            ReplGuards.stopReporting(jlineLog)
        }
        out.flush()
        return failures > 0 && !interactive ? 1 : 0
    }

    /** Loads what the first Tab needs while the user types, so that Tab answers at once. */
    private void warmUp() {
        def t = new Thread({
            try {
                StepWords.all()
                new ReplCompleter(workdir, binding, ctx, { -> [] } as Supplier<List<String>>)
                        .candidatesFor((ReplParser.ReplLine) new ReplParser().parse("pipeline('p') { archive { fr", 28, Parser.ParseContext.COMPLETE))
            } catch (Exception ignored) {
                // only a head start: the first Tab reports a real failure
            }
        }, 'repl-warm-up')
        t.daemon = true
        t.start()
    }

    private void readEvaluate(LineReader reader) {
        String keep = null
        int failedReads = 0
        while (true) {
            String input
            try {
                input = reader.readLine('sealwright> ', null, (MaskingCallback) null, keep)
                keep = null
                failedReads = 0
            } catch (UserInterruptException ignored) {
                keep = null
                continue
            } catch (EndOfFileException ignored) {
                break
            } catch (Exception | StackOverflowError | LinkageError | IOError e) {
                // a key binding, the completer, the highlighter or the history failed: report it in one line and
                // give the line back; only a terminal that fails again and again ends the session
                out.println("error: ${ReplGuards.oneLine(e)} (the session goes on)")
                out.flush()
                if (++failedReads >= 10) throw e
                keep = reader.buffer.toString()
                continue
            }
            if (input == null) break
            String line = input.trim()
            if (line.isEmpty()) continue
            if (line in [':quit', ':exit', ':q']) break
            handle(line)
            out.flush()
        }
    }

    void handle(String line) {
        try {
            if (line.startsWith(':')) command(line)
            else evaluate(line)
        } catch (RecipeException e) {
            failures++
            out.println(RecipeErrors.render(e))
        } catch (Exception | StackOverflowError e) {
            failures++
            out.println("error: ${e.getClass().simpleName}: ${e.message}")
        }
    }

    private void evaluate(String text) {
        ctx.locator = new ScriptLocator(ctx.recipe, new SourceIndex(text, 'repl.groovy'))
        def before = ctx.pipeline
        Object result
        try {
            result = shell.evaluate(text, 'repl.groovy')
        } catch (RecipeException e) {
            throw e.location().known() ? e : new RecipeException(e.message, ctx.locator.locate(e))
        } catch (MissingPropertyException e) {
            throw new RecipeException("unknown name '${e.property}'", ctx.locator.locate(e, e.property))
        } catch (MissingMethodException e) {
            String what = StepWords.all().containsKey(e.method) ? "${e.method} declares a step: write it inside pipeline('name') { ... }" : "no step or function '${e.method}'"
            throw new RecipeException(what, ctx.locator.locate(e, e.method))
        } catch (org.codehaus.groovy.control.MultipleCompilationErrorsException e) {
            throw new RecipeException("syntax error: ${e.errorCollector.errors ? e.errorCollector.errors[0].properties.cause?.originalMessage ?: e.message.readLines()[1] : e.message}")
        }
        entries << new Entry(text: text, declarations: List.copyOf(declarations.last), declaresPipeline: !ctx.pipeline.is(before))
        if (result instanceof Pipeline) {
            def p = (Pipeline) result
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
                evaluate(Files.readString(f))
                break
            case ':save': save(words); break
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

    private Pipeline pipeline() {
        if (ctx.pipeline == null) throw new RecipeException("no pipeline declared yet: pipeline('name') { ... }")
        ctx.pipeline
    }

    private static String arg(List<String> words, String usage) {
        if (words.size() < 2) throw new RecipeException("usage: ${usage}")
        words[1]
    }

    /**
     * Writes the session as a recipe: the entries in order, with the last pipeline declaration only (a
     * recipe declares one) and a name declared again ({@code def x} twice) assigned instead, as the
     * session did. An existing file is replaced only with --force.
     */
    private void save(List<String> words) {
        Path target = workdir.resolve(arg(words, ':save FILE [--force]'))
        if (Files.exists(target) && !words.contains('--force')) throw new RecipeException("${target} exists; :save ${words[1]} --force replaces it")
        int lastPipeline = entries.findLastIndexOf { it.declaresPipeline }
        Set<String> declared = []
        List<String> texts = []
        entries.eachWithIndex { Entry e, int i ->
            if (e.declaresPipeline && i != lastPipeline) return
            String text = e.text
            e.declarations.findAll { d -> d.names.any { it in declared } }.sort { -it.start }.each { d ->
                text = text.substring(0, d.start) + text.substring(d.nameStart)
            }
            e.declarations.each { declared.addAll(it.names) }
            texts << text
        }
        AtomicFiles.write(target, (texts.join('\n') + '\n').getBytes(StandardCharsets.UTF_8))
        out.println("saved ${texts.size()} declarations to ${target}")
    }

    /** ~/.config/sealwright/history (XDG_CONFIG_HOME); null, with a note, when it cannot be made. */
    private Path historyFile() {
        String xdg = System.getenv('XDG_CONFIG_HOME')
        Path dir = (xdg ? Path.of(xdg) : Path.of(System.getProperty('user.home'), '.config')).resolve('sealwright')
        try {
            Files.createDirectories(dir)
            return dir.resolve('history')
        } catch (IOException e) {
            out.println("note: no history file (${dir}: ${e.getClass().simpleName}: ${e.message}); history lasts this session")
            return null
        }
    }
}
