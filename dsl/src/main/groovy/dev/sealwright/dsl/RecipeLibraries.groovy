package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import org.codehaus.groovy.control.CompilerConfiguration

import java.nio.file.Files
import java.nio.file.Path

/**
 * Finds and loads recipe libraries: a local directory ({@code use './libs/files'}), or by name from
 * the class path ({@code sealwright/recipes/<name>/library.groovy}, shipped by the recipes module)
 * or from {@code recipes/src/main/recipes/<name>} of the distribution ({@code sealwright.home}).
 */
class RecipeLibraries {
    private static final String CLASSPATH_ROOT = 'sealwright/recipes/'

    /**
     * {@code spec}: "name", "name@version", a path ("./dir", "../dir", "/abs/dir"), "git+URL@TAG" or
     * "group:artifact:version" (the last two through {@code shared}, pinned in recipes.lock; {@code opts}:
     * {@code repository:} Maven repository URLs to search first, {@code library:} which library of a jar holding several).
     */
    static RecipeLibrary resolve(String spec, Path recipeDir, SharedLibraries shared = null, Map opts = [:]) {
        if (SharedLibraries.isGit(spec) || SharedLibraries.isMaven(spec)) {
            if (shared == null) shared = new SharedLibraries(Path.of(''), recipeDir)
            if (SharedLibraries.isGit(spec)) return shared.git(spec)
            def repos = opts.repository == null ? [] : (opts.repository instanceof Collection ? opts.repository : [opts.repository]).collect {
                it.toString().contains('://') ? it.toString() : recipeDir.resolve(it.toString()).normalize().toUri().toString()
            }
            return shared.maven(spec, repos as List<String>, opts.library as String)
        }
        if (spec.startsWith('.') || spec.startsWith('/')) {
            Path dir = recipeDir.resolve(spec).normalize()
            Path file = Files.isDirectory(dir) ? dir.resolve('library.groovy') : dir
            if (!Files.isRegularFile(file)) throw new RecipeException("recipe library ${spec}: no library.groovy at ${file}")
            return load(Files.readString(file), file.toString())
        }
        def (String name, String version) = spec.contains('@') ? spec.split('@', 2) as List : [spec, null]
        def lib = byName(name)
        if (lib == null) throw new RecipeException("unknown recipe library '${name}' (available: ${available().join(', ') ?: 'none'})")
        if (!lib.satisfies(version))
            throw new RecipeException("recipe library ${name} is version ${lib.version}; this recipe asks for ${version}")
        return lib
    }

    static RecipeLibrary byName(String name) {
        def url = RecipeLibraries.classLoader.getResource(CLASSPATH_ROOT + name + '/library.groovy')
        if (url != null) return load(url.getText('UTF-8'), url.toString())
        def home = System.getProperty('sealwright.home')
        if (home) {
            def f = Path.of(home, 'recipes/src/main/recipes', name, 'library.groovy')
            if (Files.isRegularFile(f)) return load(Files.readString(f), f.toString())
        }
        return null
    }

    /** Names of the libraries on the class path (listed in sealwright/recipes/INDEX) and in the distribution. */
    static List<String> available() {
        Set<String> names = new TreeSet<>()
        def index = RecipeLibraries.classLoader.getResources(CLASSPATH_ROOT + 'INDEX')
        index.each { URL u -> u.getText('UTF-8').readLines()*.trim().findAll { it }.each { names << it } }
        def home = System.getProperty('sealwright.home')
        if (home) {
            def dir = Path.of(home, 'recipes/src/main/recipes')
            if (Files.isDirectory(dir)) Files.list(dir).withCloseable { s -> s.filter { Files.isRegularFile(it.resolve('library.groovy')) }.forEach { names << it.fileName.toString() } }
        }
        return names as List
    }

    static RecipeLibrary load(String text, String source) {
        def config = new CompilerConfiguration()
        config.scriptBaseClass = LibraryScript.name
        def target = [source: source]
        def shell = new GroovyShell(RecipeLibraries.classLoader, new Binding((LibraryScript.TARGET): target), config)
        try {
            shell.evaluate(text, Path.of(source.replaceFirst(/^[a-z]+:/, '')).fileName.toString())
        } catch (RecipeException e) {
            throw new RecipeException("${source}: ${e.message}")
        } catch (Exception e) {
            throw new RecipeException("${source}: cannot load recipe library: ${e.message?.readLines()?.find { it.trim() } ?: e.getClass().simpleName}")
        }
        if (target.library == null) throw new RecipeException("${source}: not a recipe library (no library 'name', version: '...' line)")
        return target.library as RecipeLibrary
    }
}

/** What {@code files} means inside a pipeline after {@code use 'files'}: calls run the library's fragments. */
class LibraryHandle {
    private final RecipeLibrary lib
    private final PipelineSpec pipeline

    LibraryHandle(RecipeLibrary lib, PipelineSpec pipeline) {
        this.lib = lib
        this.pipeline = pipeline
    }

    def methodMissing(String name, Object args) {
        def f = lib.recipes[name]
        if (f == null)
            throw new RecipeException("recipe library ${lib.name} has no recipe '${name}' (recipes: ${lib.recipes.keySet().join(', ')})", pipeline.locator.here(name))
        Object[] a = args as Object[]
        Map given = a.length == 0 ? [:] : a.length == 1 && a[0] instanceof Map ? (Map) a[0] : null
        if (given == null) throw new RecipeException("call ${lib.name}.${name} with named arguments, e.g. ${lib.name}.${name}(${f.params.keySet().collect { it + ': ...' }.join(', ')})", pipeline.locator.here(name))
        def unknown = given.keySet() - f.params.keySet()
        if (unknown) throw new RecipeException("recipe ${lib.name}.${name} has no parameter ${unknown.join(', ')} (parameters: ${f.params.keySet().join(', ')})", pipeline.locator.here(name))
        Map args2 = new RecipeLibrary.Args()
        f.params.each { p, spec ->
            if (given.containsKey(p)) {
                if (!RecipeLibrary.TYPES[spec.type as String].call(given[p]))
                    throw new RecipeException("recipe ${lib.name}.${name}: parameter '${p}' must be a ${spec.type} (${spec.description}), got ${given[p] == null ? 'null' : given[p].getClass().simpleName}", pipeline.locator.here(name))
                args2[p] = given[p]
            }
            else if (spec.required) throw new RecipeException("recipe ${lib.name}.${name} needs parameter '${p}': ${spec.description}", pipeline.locator.here(name))
            else args2[p] = spec.default
        }
        Closure body = (Closure) f.body.clone()
        body.delegate = pipeline
        body.resolveStrategy = Closure.DELEGATE_FIRST
        def result = body.call(args2)
        if (f.outputs && !(result instanceof Map && ((Map) result).keySet() == f.outputs.keySet()))
            throw new RecipeException("recipe ${lib.name}.${name} (${lib.source}) must return its declared outputs ${f.outputs.keySet().join(', ')}", pipeline.locator.here(name))
        return result
    }
}
