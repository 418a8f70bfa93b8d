package dev.sealwright.dsl

import dev.sealwright.engine.Pipeline
import dev.sealwright.engine.RecipeException

/** Base class of every recipe: provides {@code pipeline('name') { ... }}. */
abstract class RecipeScript extends Script {
    static final String CONTEXT = '__sealwright'

    /** Declares the recipe's pipeline; a recipe declares exactly one. */
    Pipeline pipeline(String name, @DelegatesTo(value = PipelineSpec, strategy = Closure.DELEGATE_FIRST) Closure body) {
        RecipeContext ctx = (RecipeContext) binding.getVariable(CONTEXT)
        if (ctx.pipeline != null) throw new RecipeException("a recipe declares one pipeline; '${ctx.pipeline.name()}' is already declared", ctx.locator.here('pipeline'))
        def spec = new PipelineSpec(name, this, ctx.recipe, ctx.locator, ctx.overrides)
        Closure c = (Closure) body.clone()
        c.delegate = spec
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
        ctx.pipeline = spec.build()
        ctx.params = spec.params.asMap()
        return ctx.pipeline
    }

    /** Per-evaluation state shared between the loader and the script. */
    static class RecipeContext {
        java.nio.file.Path recipe
        ScriptLocator locator
        Map<String, String> overrides
        Pipeline pipeline
        Map<String, Object> params = [:]
    }
}
