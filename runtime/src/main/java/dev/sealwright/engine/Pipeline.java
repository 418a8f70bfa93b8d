package dev.sealwright.engine;

import dev.sealwright.base.RecipeException;
import dev.sealwright.base.SourceLocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named, validated graph of steps. Built by the DSL from a recipe, or directly from Java:
 * <pre>{@code
 * var p = Pipeline.builder("demo")
 *     .step("data", StepTypes.get("extract"), Map.of("archive", new FileRef(Path.of("x.tar.gz"))))
 *     .step("sums", StepTypes.get("digest"), Map.of("from", new OutputRef("data", "files")))
 *     .build();
 * }</pre>
 */
public final class Pipeline {
    private final String name;
    private final Path recipe;
    private final Map<String, Step> steps;

    private Pipeline(String name, Path recipe, Map<String, Step> steps) {
        this.name = name;
        this.recipe = recipe;
        this.steps = Collections.unmodifiableMap(steps);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The recipe file it came from, or null when built from Java. */
    public Path recipe() {
        return recipe;
    }

    /** Steps in declaration order (which is a valid topological order: refs point backwards). */
    public List<Step> steps() {
        return List.copyOf(steps.values());
    }

    public Step step(String name) {
        return steps.get(name);
    }

    /** Steps that read an output of {@code name}. */
    public List<Step> dependants(String name) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps.values()) if (s.dependencies().contains(name)) out.add(s);
        return out;
    }

    public static final class Builder {
        private final String name;
        private Path recipe;
        private final Map<String, Step> steps = new LinkedHashMap<>();

        private Builder(String name) {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"))
                throw new RecipeException("pipeline name '" + name + "' must be letters, digits, '.', '_' or '-'");
            this.name = name;
        }

        public Builder recipe(Path recipe) {
            this.recipe = recipe == null ? null : recipe.toAbsolutePath().normalize();
            return this;
        }

        public Builder step(String stepName, StepType type, Map<String, Object> options) {
            return step(new Step(stepName, type, options, SourceLocation.UNKNOWN));
        }

        /** Adds a step after validating its options; refs must name steps added earlier. */
        public Builder step(Step step) {
            if (steps.containsKey(step.name()))
                throw new RecipeException("step '" + step.name() + "' is declared twice", step.location());
            StepValidator.validate(step, steps);
            steps.put(step.name(), step);
            return this;
        }

        /** A step name not used yet: {@code base}, then {@code base_2}, {@code base_3}, ... */
        public String freshName(String base) {
            String candidate = base.replace('.', '_');
            String stem = candidate;
            for (int n = 2; steps.containsKey(candidate); n++) candidate = stem + "_" + n;
            return candidate;
        }

        public boolean has(String stepName) {
            return steps.containsKey(stepName);
        }

        public Pipeline build() {
            if (steps.isEmpty()) throw new RecipeException("pipeline '" + name + "' declares no steps");
            return new Pipeline(name, recipe, new LinkedHashMap<>(steps));
        }
    }
}
