package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.base.Secret
import dev.sealwright.engine.Input
import dev.sealwright.engine.OutputRef

import java.nio.file.Path

/**
 * A library of reusable recipe fragments, declared in a {@code library.groovy}:
 * <pre>
 * library 'files', version: '1.0.0', description: 'file utilities'
 * recipe('checksummed') {
 *     description 'pack a directory and publish a checked manifest'
 *     param 'dir', 'directory to pack'
 *     param 'title', 'manifest title', default: ''
 *     body { args -> def a = archive { from args.dir }; ... ; [archive: a.archive] }
 * }
 * </pre>
 * A recipe uses it with {@code use 'files@1'} and calls {@code files.checksummed(dir: file('site'))}
 * inside its pipeline; the fragment's steps join the calling pipeline.
 */
class RecipeLibrary {
    final String name
    final String version
    final String description
    final String source
    final Map<String, Fragment> recipes = new LinkedHashMap<>()
    /** What pins a shared library (git commit, jar SHA-256), as in recipes.lock; empty for others. */
    Map<String, String> pin = [:]

    RecipeLibrary(String name, String version, String description, String source) {
        this.name = name
        this.version = version
        this.description = description
        this.source = source
    }

    /** The arguments a fragment's body gets: its parameters by name, and the names of its steps. */
    static class Args extends LinkedHashMap<String, Object> {
        /** PREFIX-word for the fragment's {@code prefix} parameter ({@link FragmentSpec#stepPrefix}), or the bare word without one. */
        String stepName(String word) {
            String p = get('prefix') as String
            p ? "${p}-${word}" : word
        }
    }

    /** One reusable fragment: parameters (name → description, default) and a body run against the calling pipeline. */
    static class Fragment {
        String name
        String description = ''
        /** name → [description, type, required, default] */
        final Map<String, Map<String, Object>> params = new LinkedHashMap<>()
        /** name → description of each output the body returns */
        final Map<String, String> outputs = new LinkedHashMap<>()
        String example = ''
        Closure body
    }

    /** Parameter types a recipe may declare, and the values each accepts. */
    static final Map<String, Closure<Boolean>> TYPES = [
            file   : { v -> v instanceof Input || v instanceof StepHandle || v instanceof File || v instanceof Path },
            secret : { v -> v instanceof Secret || v instanceof OutputRef || v instanceof StepHandle },
            string : { v -> v instanceof CharSequence },
            number : { v -> v instanceof Number },
            boolean: { v -> v instanceof Boolean },
            any    : { v -> true },
    ].asImmutable()

    /** True when the library's version satisfies a request: "1" matches 1.x.y, "1.2" matches 1.2.y, "1.2.3" exactly. */
    boolean satisfies(String wanted) {
        if (wanted == null) return true
        def have = version.tokenize('.')
        def want = wanted.tokenize('.')
        want.size() <= have.size() && (0..<want.size()).every { want[it] == have[it] }
    }
}

/** Delegate of a library file: {@code library}, {@code recipe}. */
abstract class LibraryScript extends Script {
    static final String TARGET = '__library'

    void library(Map attrs, String name) {
        Map target = (Map) binding.getVariable(TARGET)
        if (!attrs.version) throw new RecipeException("library ${name} must declare version: '1.0.0'")
        target.library = new RecipeLibrary(name, attrs.version as String, (attrs.description ?: '') as String, target.source as String)
    }

    void recipe(String name, @DelegatesTo(value = FragmentSpec, strategy = Closure.DELEGATE_ONLY) Closure body) {
        RecipeLibrary lib = ((Map) binding.getVariable(TARGET)).library as RecipeLibrary
        if (lib == null) throw new RecipeException("declare library 'name', version: '...' before recipe '${name}'")
        def f = new RecipeLibrary.Fragment(name: name)
        body.delegate = new FragmentSpec(f)
        body.resolveStrategy = Closure.DELEGATE_ONLY
        body.call()
        if (f.body == null) throw new RecipeException("recipe ${lib.name}.${name} has no body { args -> ... }")
        lib.recipes[name] = f
    }
}

class FragmentSpec {
    private final RecipeLibrary.Fragment f

    FragmentSpec(RecipeLibrary.Fragment f) { this.f = f }

    void description(String text) { f.description = text }

    /** {@code param 'name', 'what it is', type: 'file|secret|string|number|boolean|any', default: ...} (no default: required). */
    void param(Map opts = [:], String name, String description) {
        String type = (opts.type ?: 'any') as String
        if (!RecipeLibrary.TYPES.containsKey(type))
            throw new RecipeException("recipe ${f.name}: parameter ${name} has unknown type '${type}' (types: ${RecipeLibrary.TYPES.keySet().join(', ')})")
        f.params[name] = [description: description, type: type, required: !opts.containsKey('default'), default: opts.default]
    }

    /**
     * {@code stepPrefix 'tdx'}: the parameter {@code prefix} (default {@code defaultPrefix}), the first word of the names of
     * the steps the body declares as {@code args.stepName('word')} (PREFIX-word; the bare word for an empty prefix).
     */
    void stepPrefix(String defaultPrefix) {
        param 'prefix', 'first word of the step names', type: 'string', default: defaultPrefix
    }

    /** {@code output 'name', 'what it is'}: a key of the map the body returns. */
    void output(String name, String description) { f.outputs[name] = description }

    /** A one-line call of the recipe, shown by {@code sealwright recipes show}. */
    void example(String call) { f.example = call }

    void body(Closure c) { f.body = c }
}
