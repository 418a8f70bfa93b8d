package dev.sealwright.dsl

import dev.sealwright.engine.Pipeline
import dev.sealwright.base.RecipeException

import java.nio.file.Path

/** Base class of every recipe: provides {@code pipeline('name') { ... }}. */
abstract class RecipeScript extends Script {
    static final String CONTEXT = '__sealwright'

    /** Declares the recipe's pipeline; a recipe declares exactly one. */
    Pipeline pipeline(String name, @DelegatesTo(value = PipelineSpec, strategy = Closure.DELEGATE_FIRST) Closure body) {
        RecipeContext ctx = (RecipeContext) binding.getVariable(CONTEXT)
        if (ctx.pipeline != null && !ctx.redefine) throw new RecipeException("a recipe declares one pipeline; '${ctx.pipeline.name()}' is already declared", ctx.locator.here('pipeline'))
        def spec = new PipelineSpec(name, this, ctx.recipe, ctx.locator, ctx.overrides, ctx.libraries)
        Closure c = (Closure) body.clone()
        c.delegate = spec
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
        ctx.pipeline = spec.build()
        ctx.params = spec.params.asMap()
        return ctx.pipeline
    }

    /**
     * Makes a recipe library available to the pipeline: {@code use 'files@1'} (by name, optionally
     * with a version prefix), {@code use './libs/mylib'} (a directory with a library.groovy),
     * {@code use 'git+https://host/lib.git@v1.2'} or {@code use 'org.example:tee-recipes:1.2.0', repository: 'https://…'}
     * (pinned in recipes.lock beside the recipe; see {@link SharedLibraries}).
     */
    void use(Map opts = [:], String spec) {
        RecipeContext ctx = (RecipeContext) binding.getVariable(CONTEXT)
        def lib
        try {
            def unknown = opts.keySet() - ['repository', 'library']
            if (unknown) throw new RecipeException("use: unknown option ${unknown.join(', ')} (options: repository, library)")
            Path dir = ctx.recipe.toAbsolutePath().parent
            lib = RecipeLibraries.resolve(spec, dir, new SharedLibraries(ctx.workdir ?: Path.of(''), dir), opts)
        } catch (RecipeException e) {
            throw new RecipeException(e.message, ctx.locator.here('use'))
        }
        if (ctx.recipe.fileName.toString() == lib.name + '.groovy')
            throw new RecipeException("this recipe file is named like the library ${lib.name}: Groovy would read ${lib.name}.x as the script's own class; rename the file", ctx.locator.here('use'))
        def already = ctx.libraries[lib.name]
        if (already != null && already.version != lib.version)
            throw new RecipeException("recipe library ${lib.name} is used at version ${already.version} and ${lib.version}", ctx.locator.here('use'))
        ctx.libraries[lib.name] = lib
    }

    /** Per-evaluation state shared between the loader and the script. */
    static class RecipeContext {
        java.nio.file.Path recipe
        /** The working directory whose .sealwright/recipes caches shared libraries. */
        java.nio.file.Path workdir
        ScriptLocator locator
        Map<String, String> overrides
        Pipeline pipeline
        Map<String, Object> params = [:]
        Map<String, RecipeLibrary> libraries = [:]
        /** The REPL may declare the pipeline again; a recipe file may not. */
        boolean redefine
    }
}
