package dev.sealwright.dsl;

import dev.sealwright.engine.Pipeline;
import java.nio.file.Path;
import java.util.Map;

/**
 * A recipe ready to run: its pipeline, its parameters after {@code -p} overrides, and the libraries it
 * used. Java, so that a recipe taken from the {@link ConfigurationCache} runs without Groovy.
 */
public class LoadedRecipe {
    public final Path file;
    public final Pipeline pipeline;
    /** Parameters after overrides; empty for a pipeline taken from the configuration cache, which stores none. */
    public final Map<String, Object> params;
    /** Libraries the recipe used: name → version, source and, for git or Maven ones, the locked commit or SHA-256. */
    public final Map<String, Object> libraries;

    public LoadedRecipe(Path file, Pipeline pipeline, Map<String, Object> params, Map<String, Object> libraries) {
        this.file = file;
        this.pipeline = pipeline;
        this.params = params;
        this.libraries = libraries;
    }

    public Path getFile() { return file; }
    public Pipeline getPipeline() { return pipeline; }
    public Map<String, Object> getParams() { return params; }
    public Map<String, Object> getLibraries() { return libraries; }
}
