package dev.sealwright.engine;

import dev.sealwright.base.Secret;
import dev.sealwright.tools.Tools;

import java.nio.file.Path;
import java.util.List;

/** What a running step sees: its option values (inputs resolved to paths), its output and scratch dirs, tools, logging. */
public interface StepContext {
    Step step();

    /** Directory the step writes its declared outputs into (a temp dir renamed into the cache on success). */
    Path outputDir();

    /** Path of a declared FILE or DIRECTORY output inside {@link #outputDir()}. */
    Path output(String name);

    /** Records a VALUE output (a small string, number or boolean). */
    void value(String output, Object value);

    /**
     * A directory of this step (by name) in the workspace, kept across runs and never touched by the
     * cache: for state a step must not lose or replace, such as a vault seed. Created on first use.
     */
    Path keepDir();

    /** Scratch directory, deleted after the step. */
    Path workDir();

    /** The option value after defaults; null if unset and without default. */
    Object option(String name);

    String string(String name);

    long number(String name);

    boolean flag(String name);

    /** An Input option resolved to a path on disk (user file or upstream output). */
    Path path(String name);

    List<Path> paths(String name);

    /** Any input (e.g. one element of a list option) resolved to a path on disk. */
    Path resolve(Input input);

    Secret secret(String name);

    /** A VALUE output of an upstream step given as an option. */
    Object upstreamValue(String name);

    /** External programs, with version capture recorded in the run report. */
    Tools tools();

    /** A line for the step log (secrets masked). */
    void log(String line);

    /** Progress for the live display; total &lt;= 0 when unknown. */
    void progress(long done, long total, String unit);

    /** For SERVICE steps: closed when the last dependant finishes, on failure, or on Ctrl-C. */
    void keepAlive(AutoCloseable resource);

    /** True once the run was cancelled (Ctrl-C or a failure elsewhere); long steps should stop. */
    boolean cancelled();
}
