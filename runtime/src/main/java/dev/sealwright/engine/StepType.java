package dev.sealwright.engine;

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
