package dev.sealwright.engine;

import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Settings of one engine: parallelism, cache use, where outputs are published, observers. */
public final class EngineOptions {
    int jobs = Math.max(1, Runtime.getRuntime().availableProcessors());
    boolean fresh;
    Path outputDir;
    Tools tools = new Tools();
    final List<RunListener> listeners = new ArrayList<>();

    public EngineOptions jobs(int n) {
        if (n < 1) throw new RecipeException("--jobs must be at least 1, got " + n);
        this.jobs = n;
        return this;
    }

    /** Ignore cached results (they are replaced by the new ones). */
    public EngineOptions fresh(boolean fresh) {
        this.fresh = fresh;
        return this;
    }

    /** Where outputs are published as {@code <dir>/<step>/<file>}; default {@code <workspace>/out}. */
    public EngineOptions outputDir(Path dir) {
        this.outputDir = dir;
        return this;
    }

    public EngineOptions tools(Tools tools) {
        this.tools = tools;
        return this;
    }

    public EngineOptions listener(RunListener l) {
        listeners.add(l);
        return this;
    }

    public int jobs() {
        return jobs;
    }
}
