package dev.sealwright.cli

import dev.sealwright.dsl.RecipeLibraries
import dev.sealwright.dsl.RecipeLibrary
import dev.sealwright.dsl.RecipeScript
import dev.sealwright.dsl.StepHandle
import dev.sealwright.dsl.StepSpec
import dev.sealwright.dsl.StepWords
import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes
import org.jline.reader.Candidate
import org.jline.reader.Completer
import org.jline.reader.LineReader
import org.jline.reader.ParsedLine

import java.nio.file.Files
import java.nio.file.Path
import java.util.function.Supplier

/**
 * REPL completion by place ({@link ReplParser}): REPL commands and their file arguments; at the top
 * level {@code pipeline}, {@code use}, session variables (and step types once a word is begun); inside {@code pipeline { }}
 * step types and pipeline functions; inside a step block that step's options and its block's own words
 * ({@code pack { }}: {@code enroll}, {@code sign}); inside a block nested in it, that block's words
 * ({@code pack { enroll { }}: {@code vault}, {@code simulatedTdReport}); after {@code handle.}
 * the outputs of the handle's step; after {@code lib.} the recipes of a used library; in
 * {@code use '} library names, in {@code step('} step type names, in {@code file('} paths.
 * A failure is reported in one line above the prompt and completes nothing: the session goes on.
 */
class ReplCompleter implements Completer {
    static final List<String> COMMANDS = [':help', ':load', ':save', ':plan', ':run', ':steps', ':quit']
    private static final List<String> PIPELINE_WORDS = ['params', 'file', 'secret', 'helper', 'vm', 'step', 'def']
    private static final List<String> VALUE_WORDS = ['file', 'secret', 'helper']

    private final Path workdir
    private final Binding binding
    private final RecipeScript.RecipeContext ctx
    private final Supplier<List<String>> accepted

    /** {@code accepted}: the session's evaluated texts, where earlier handles and {@code use} lines are found. */
    ReplCompleter(Path workdir, Binding binding, RecipeScript.RecipeContext ctx, Supplier<List<String>> accepted) {
        this.workdir = workdir
        this.binding = binding
        this.ctx = ctx
        this.accepted = accepted
    }

    @Override
    void complete(LineReader reader, ParsedLine parsed, List<Candidate> candidates) {
        try {
            candidates.addAll(candidatesFor((ReplParser.ReplLine) parsed))
        } catch (Exception | StackOverflowError | LinkageError e) {
            reader.printAbove("error: completion failed: ${ReplGuards.oneLine(e)} (the session goes on)".toString())
        }
    }

    List<Candidate> candidatesFor(ReplParser.ReplLine line) {
        switch (line.place) {
            case ReplParser.Place.COMMAND: return COMMANDS.collect { word(it, 'commands', null) }
            case ReplParser.Place.COMMAND_ARG:
                return line.line.trim().startsWith(':load') || line.line.trim().startsWith(':save') ? paths(line.word, null) : []
            case ReplParser.Place.STRING: return inString(line.syntax)
            case ReplParser.Place.CODE: return inCode(line.syntax, line.line.substring(0, line.cursor).trim() == line.word)
            default: return []
        }
    }

    private List<Candidate> inString(ReplSyntax s) {
        List<String> before = s.last(4).collect { it.kind == ReplSyntax.Kind.PUNCT || it.kind == ReplSyntax.Kind.IDENT ? it.text : '?' }
        String close = s.openQuote
        String call = before.size() >= 1 && before[-1] == '(' ? (before.size() >= 2 ? before[-2] : '') : (before ? before[-1] : '')
        if (call == 'use') return RecipeLibraries.available().collect { new Candidate(it + close, it, 'recipe libraries', null, null, null, false) }
        if (call == 'step') return StepTypes.all().collect { new Candidate(it.name() + close, it.name(), 'step types', it.description(), null, null, false) }
        if (call == 'file' || before.takeRight(4) == ['secret', '(', 'file', ':']) return paths(s.stringSoFar, close)
        return []
    }

    private List<Candidate> inCode(ReplSyntax s, boolean aloneOnLine) {
        Map<String, StepType> handles = handles(s)
        List<Candidate> out = []
        int dot = s.word.lastIndexOf('.')
        if (dot > 0) out.addAll(members(s.word.substring(0, dot), handles))
        else out.addAll(recipeParameters(s))
        BlockPlace block = blockPlace(s)
        if (block != null) {
            if (block.nested == null) block.step.options().each { out << word(it.name(), "options of ${block.step.name()}", it.description()) }
            String words = block.nested == null ? "${block.stepWord} { }" : "${block.stepWord} { ${block.nested} { } }"
            StepWords.blockWords(block.spec).each { String w -> out << word(w, words, block.nested == null ? block.step.option(w)?.description() : null) }
            VALUE_WORDS.each { out << word(it, 'values', null) }
            handles.keySet().each { out << word(it, 'handles', null) }
        } else if (s.blocks.any { it.head == 'pipeline' }) {
            stepWords(out)
            PIPELINE_WORDS.each { out << word(it, 'pipeline', null) }
            (ctx.libraries.keySet() + usedLibraries()).each { out << word(it, 'recipe libraries', null) }
            handles.keySet().each { out << word(it, 'handles', null) }
        } else {
            // the top level: what a session starts with; step types once a word is begun (they go inside a pipeline)
            ['pipeline', 'use', 'def'].each { out << word(it, 'recipe', null) }
            if (!s.word.isEmpty()) stepWords(out)
            else if (aloneOnLine) COMMANDS.each { out << word(it, 'commands', null) }
        }
        variables().each { out << word(it, 'variables', null) }
        out.unique { it.value() }
    }

    /** After {@code x.}: the outputs of handle x, the recipes of library x. */
    private List<Candidate> members(String owner, Map<String, StepType> handles) {
        StepType type = handles[owner]
        if (type != null) return type.outputs().collect { new Candidate("${owner}.${it.name()}", it.name(), "outputs of ${type.name()}", it.description(), null, null, true) }
        if (owner in ctx.libraries.keySet() || owner in usedLibraries()) {
            RecipeLibrary lib = ctx.libraries[owner] ?: RecipeLibraries.byName(owner)
            if (lib != null) return lib.recipes.values().collect { new Candidate("${owner}.${it.name}", it.name, "recipes of ${lib.name}", it.description ?: null, null, null, false) }
        }
        []
    }

    /** Inside {@code lib.recipe(}: the recipe's parameters not given yet, as {@code name: }. */
    private List<Candidate> recipeParameters(ReplSyntax s) {
        List<Integer> open = []
        s.tokens.eachWithIndex { ReplSyntax.Token t, int i ->
            if (t.is('(')) open << i
            else if (t.is(')') && open) open.removeLast()
        }
        if (!open) return []
        int i = open.last()
        if (i < 3 || s.tokens[i - 1].kind != ReplSyntax.Kind.IDENT || !s.tokens[i - 2].is('.') || s.tokens[i - 3].kind != ReplSyntax.Kind.IDENT) return []
        String owner = s.tokens[i - 3].text
        if (!(owner in ctx.libraries.keySet() || owner in usedLibraries())) return []
        RecipeLibrary lib = ctx.libraries[owner] ?: RecipeLibraries.byName(owner)
        RecipeLibrary.Fragment f = lib?.recipes?.get(s.tokens[i - 1].text)
        if (f == null) return []
        def inCall = s.tokens.drop(i + 1)
        Set<String> given = [] as Set
        inCall.eachWithIndex { ReplSyntax.Token t, int j -> if (t.kind == ReplSyntax.Kind.IDENT && j + 1 < inCall.size() && inCall[j + 1].is(':')) given << t.text }
        f.params.findAll { p, spec -> !(p in given) }.collect { String p, Map spec ->
            new Candidate("${p}: ".toString(), p, "parameters of ${lib.name}.${f.name}".toString(),
                    "${spec.type}${spec.required ? ', required' : ''}: ${spec.description}".toString(), null, null, false)
        }
    }

    private static void stepWords(List<Candidate> out) {
        StepWords.all().each { w, type -> out << word(w, 'step types', type.description()) }
    }

    /** A step block the cursor is in ({@code pack { }}), or a block nested in it that its spec delegates ({@code pack { enroll { }}). */
    static final class BlockPlace {
        final StepType step
        final String stepWord
        final Class<?> spec
        final String nested

        BlockPlace(StepType step, String stepWord, Class<?> spec, String nested) {
            this.step = step; this.stepWord = stepWord; this.spec = spec; this.nested = nested
        }
    }

    /**
     * Where the cursor is, outermost block first: a step's block, then the blocks nested in it that its spec
     * delegates to another class (read from @DelegatesTo: pack's {@code enroll { }} is PackEnrollSpec, not the
     * enroll step); a plain closure inside a step's block leaves the place at that block. Null outside step blocks.
     */
    private static BlockPlace blockPlace(ReplSyntax s) {
        BlockPlace place = null
        for (ReplSyntax.Block b : s.blocks) {
            if (b.head == 'pipeline') {
                place = null
            } else if (place != null) {
                Class<?> inner = StepWords.nestedBlock(place.spec, b.head)
                if (inner != null) place = new BlockPlace(place.step, place.stepWord, inner, b.head)
            } else {
                StepType t = stepOf(b.head, b.firstArg)
                if (t != null) place = new BlockPlace(t, b.head, b.head == 'step' ? StepSpec : StepWords.specs()[b.head], null)
            }
        }
        place
    }

    private static StepType stepOf(String call, String firstArg) {
        if (call == 'step') return firstArg != null && StepTypes.has(firstArg) ? StepTypes.get(firstArg) : null
        StepWords.all()[call]
    }

    /** Names bound to step handles: in the session, in earlier entries and in the text being typed (which wins). */
    private Map<String, StepType> handles(ReplSyntax current) {
        Map<String, StepType> found = [:]
        binding.variables.each { k, v -> if (v instanceof StepHandle) found[(String) k] = ((StepHandle) v).step.type() }
        (accepted.get().collect { ReplSyntax.of(it) } + [current]).each { ReplSyntax s ->
            s.assignedCalls().each { name, call ->
                StepType t = stepOf(call[0], call[1])
                if (t != null) found[name] = t
            }
        }
        found
    }

    /** Libraries named in {@code use '...'} lines of the session. */
    private Set<String> usedLibraries() {
        Set<String> names = []
        accepted.get().each { text ->
            def toks = ReplSyntax.of(text).tokens
            toks.eachWithIndex { t, i ->
                if (t.kind == ReplSyntax.Kind.IDENT && t.text == 'use') {
                    def arg = toks.drop(i + 1).find { !it.is('(') }
                    if (arg?.kind == ReplSyntax.Kind.STRING && !arg.text.startsWith('.') && !arg.text.startsWith('/')) names << arg.text.split('@')[0]
                }
            }
        }
        names
    }

    private List<String> variables() {
        binding.variables.keySet().collect { it as String }.findAll { !it.startsWith('_') }.sort()
    }

    /**
     * Files and directories for a path typed so far, relative to the working directory (as {@code file()}
     * resolves them). In a string, a file's candidate ends with the closing quote; a directory's with '/'.
     */
    private List<Candidate> paths(String typed, String closingQuote) {
        int slash = typed.lastIndexOf('/')
        String dirPart = slash >= 0 ? typed.substring(0, slash + 1) : ''
        String prefix = typed.substring(slash + 1)
        Path dir = dirPart.startsWith('/') ? Path.of(dirPart) : workdir.resolve(dirPart.isEmpty() ? '.' : dirPart)
        if (!Files.isDirectory(dir)) return []
        List<Path> entries = Files.list(dir).withCloseable { it.iterator().toList() }
        entries.findAll { Path p -> String n = p.fileName.toString(); n.startsWith(prefix) && (prefix.startsWith('.') || !n.startsWith('.')) }
                .sort { it.fileName.toString() }.take(500).collect { Path p ->
            String n = p.fileName.toString()
            boolean isDir = Files.isDirectory(p)
            String end = isDir ? '/' : (closingQuote ?: '')
            new Candidate(dirPart + n + end, n + (isDir ? '/' : ''), 'files', null, null, null, !isDir && closingQuote == null)
        }
    }

    private static Candidate word(String value, String group, String description) {
        new Candidate(value, value, group, description, null, null, true)
    }
}
