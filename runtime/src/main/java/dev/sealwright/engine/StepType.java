package dev.sealwright.engine;

import dev.sealwright.tools.Tools;

import java.util.List;

/**
 * A kind of step (extract, pack, measure.tdx, launch, ...). Implementations are stateless; the engine
 * gives each execution a {@link StepContext}.
 *
 * <p>Registration: name the class in {@code META-INF/services/dev.sealwright.engine.StepType} (one line;
 * a recipe library's jar does the same in its own jar). {@link StepTypes} loads every type on the class
 * path once, with {@link java.util.ServiceLoader}, when it is first used; {@link StepTypes#register}
 * adds one at run time (tests, embedders) and replaces a type of the same {@link #name()}. Nothing else
 * is registered by hand: the recipe DSL derives everything from this interface. A recipe declares the
 * step with {@link #dslName()} ({@code tpmSeal { ... }}; {@code measure.x} types also as
 * {@code measure.x { ... }}) or generically as {@code step('tpm.seal') { ... }}; inside the closure every
 * {@link OptionSpec} is a method ({@code pcrs 'sha256:7'}), checked by its {@link OptionSpec#check}
 * where the recipe is loaded; the IDE descriptors (GDSL, DSLD) are generated from {@link #options()}
 * and {@link #outputs()} when the DSL is built. See docs/engine.md, "Adding a step type".
 */
public interface StepType {
    /** Name used in recipes, plans and reports, e.g. {@code "extract"} or {@code "measure.tdx"}. */
    String name();

    /**
     * The word recipes declare the step with: by default the name in camel case ({@code tpm.seal} →
     * {@code tpmSeal}, {@code launch} → {@code launch}). Override only to keep an established word.
     */
    default String dslName() {
        String[] parts = name().split("\\.");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++)
            if (!parts[i].isEmpty()) b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i], 1, parts[i].length());
        return b.toString();
    }

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
