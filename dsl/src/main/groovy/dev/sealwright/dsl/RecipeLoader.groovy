package dev.sealwright.dsl

import dev.sealwright.base.InputFiles
import dev.sealwright.engine.Pipeline
import dev.sealwright.base.RecipeException
import dev.sealwright.base.SourceLocation
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.messages.SyntaxErrorMessage

import java.nio.file.Path

/**
 * Compiles and evaluates a recipe into a {@link Pipeline}. Every problem comes out as a
 * {@link RecipeException} located at {@code recipe.groovy:LINE:COL}: syntax errors from the
 * compiler, DSL misuse (unknown option, unknown output, undeclared parameter) from the builders,
 * and anything else thrown while evaluating, mapped to the recipe line through the stack trace.
 */
class RecipeLoader {
    /** A loaded recipe: its pipeline and its parameters after {@code -p} overrides. */
    static class Recipe extends LoadedRecipe {
        Recipe(Path file, Pipeline pipeline, Map<String, Object> params, Map<String, Object> libraries = [:]) {
            super(file, pipeline, params, libraries)
        }
    }

    /** A recipe is Groovy source. */
    static final InputFiles.Bound RECIPE_BOUND = new InputFiles.Bound('a recipe', 4 << 20)

    /** {@code workdir}: the working directory whose .sealwright/recipes caches git and Maven libraries. */
    static Recipe load(Path file, Map<String, String> overrides = [:], Path workdir = Path.of('')) {
        Path recipe = file.toAbsolutePath().normalize()
        String text = InputFiles.readText(recipe, RECIPE_BOUND)
        def locator = new ScriptLocator(recipe, new SourceIndex(text, recipe.fileName.toString()))
        def ctx = new RecipeScript.RecipeContext(recipe: recipe, locator: locator, overrides: overrides, workdir: workdir)
        Script script
        try {
            script = CompiledRecipes.scriptClass(text, recipe.fileName.toString()).getDeclaredConstructor().newInstance()
        } catch (MultipleCompilationErrorsException e) {
            throw compileError(e, recipe)
        }
        script.binding = new Binding((RecipeScript.CONTEXT): ctx)
        try {
            script.run()
        } catch (RecipeException e) {
            if (e.location().known() || e instanceof ParameterOverrideException) throw e
            throw new RecipeException(e.message, locator.locate(e), e.cause)
        } catch (MissingPropertyException e) {
            throw new RecipeException("unknown name '${e.property}'", locator.locate(e, e.property), e)
        } catch (MissingMethodException e) {
            if (e.method == 'call' && e.type == StepHandle)
                throw new RecipeException("a step handle is being called: a variable on this line has the same name as an option; rename the variable",
                        locator.locate(e), e)
            def args = e.arguments.collect { it == null ? 'null' : it instanceof Closure ? '{ }' : it.getClass().simpleName }.join(', ')
            throw new RecipeException("no step or function '${e.method}(${args})'${Suggestions.hint(e.method, StepWords.all().keySet())}", locator.locate(e, e.method), e)
        } catch (Exception e) {
            throw new RecipeException("${e.getClass().simpleName}: ${e.message}", locator.locate(e), e)
        }
        if (ctx.pipeline == null) throw new RecipeException("${recipe.fileName} declares no pipeline: add pipeline('name') { ... }",
                new SourceLocation(recipe, 1, 1))
        return new Recipe(recipe, ctx.pipeline, ctx.params, ctx.libraries.collectEntries { String n, RecipeLibrary l ->
            [n, [version: l.version, source: l.source] + l.pin]
        } as Map<String, Object>)
    }

    /**
     * {@link #load}, then keeps the pipeline in the {@link ConfigurationCache} of {@code workdir} unless the
     * code of the recipe or of a library it used may read an input the cache does not key
     * ({@link RecipeInputScan}), or a library's text cannot be read again to check it (git, Maven).
     */
    static Recipe loadAndCache(Path file, Map<String, String> overrides, Path workdir) {
        def loaded = load(file, overrides, workdir)
        List<String> sources = loaded.libraries.values().collect { ((Map) it).source as String }
        String read = RecipeInputScan.firstRead(InputFiles.readText(loaded.file, RECIPE_BOUND), loaded.file.fileName.toString())
        for (String source : sources) {
            if (read != null) break
            try {
                read = RecipeInputScan.firstRead(new String(ConfigurationCache.read(source), 'UTF-8'), 'library.groovy')
            } catch (IOException ignored) {
                read = "a library from ${source}"
            }
        }
        try {
            if (read == null) ConfigurationCache.store(loaded, overrides, workdir, sources)
            else ConfigurationCache.forget(loaded.file, workdir)
        } catch (IOException ignored) {
            // a cache that cannot be written (a read-only working directory) only means evaluating next time too
        }
        return loaded
    }

    private static RecipeException compileError(MultipleCompilationErrorsException e, Path recipe) {
        def first = e.errorCollector.errors.find { it instanceof SyntaxErrorMessage } as SyntaxErrorMessage
        if (first == null) return new RecipeException("${recipe.fileName}: ${e.message.readLines().find { it.trim() } ?: 'does not compile'}")
        def se = first.cause
        String msg = se.originalMessage.replaceAll(/ @ line \d+, column \d+\.?$/, '')
        if (msg.startsWith('Unexpected input')) msg = "syntax error: unexpected input here (is a '(', '{' or quote above left open?)"
        else if (msg.contains('\n')) msg = 'syntax error: ' + msg.readLines()[0]
        return new RecipeException(msg, new SourceLocation(recipe, se.line, se.startColumn))
    }
}
