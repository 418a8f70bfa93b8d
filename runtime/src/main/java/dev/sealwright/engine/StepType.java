package dev.sealwright.engine;

import dev.sealwright.tools.Tools;

import java.util.List;

/**
 * A kind of step (extract, pack, measure.tdx, launch, ...). Implementations are stateless; the engine
 * gives each execution a {@link StepContext}. A type is registered by naming its class in
 * {@code META-INF/services/dev.sealwright.engine.StepType}: {@link StepTypes} loads every one on the
 * class path with {@link java.util.ServiceLoader} ({@link StepTypes#register} adds one at run time).
 * Recipes then reach it as {@code step('name', ...) { }}; see docs/engine.md, "Adding a step type".
 */
public interface StepType {
    /** Name used in recipes, plans and reports, e.g. {@code "extract"} or {@code "measure.tdx"}. */
    String name();

    /** Implementation version: bump whenever the same inputs would produce different output bytes. */
    int version();

    default StepKind kind() {
        return StepKind.CACHED;
    }

    List<OptionSpec> options();

    List<OutputSpec> outputs();

    /** External programs this step runs with these options; their versions enter the cache key and the run report. */
    default List<String> tools(java.util.Map<String, Object> options) {
        return List.of();
    }

    /**
     * What the step will take from outside its options and inputs, resolved before it runs (e.g. the
     * Debian package versions apt would fetch now): each entry enters the cache key (as "fact NAME") and
     * plan's reasons, so a new package version re-runs the step. Must be quick and change nothing.
     */
    default java.util.Map<String, String> keyFacts(java.util.Map<String, Object> options, Tools tools) {
        return java.util.Map.of();
    }

    /** One line for {@code --help} and the REPL. */
    String description();

    /**
     * Does the work. Writes declared outputs under {@link StepContext#outputDir()}; for a
     * {@link StepKind#SERVICE} step, registers what must be torn down with {@link StepContext#keepAlive}.
     */
    void execute(StepContext ctx) throws Exception;

    default OptionSpec option(String name) {
        return options().stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
    }

    default OutputSpec output(String name) {
        return outputs().stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
    }
}
