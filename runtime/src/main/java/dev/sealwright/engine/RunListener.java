package dev.sealwright.engine;

/** Observer of a run (console progress, JSON report, tests). Called from engine threads; implementations must be thread-safe. */
public interface RunListener {
    default void runStarted(Pipeline pipeline, int jobs) {}

    default void stepStarted(Step step) {}

    default void stepProgress(Step step, long done, long total, String unit) {}

    /** A line the step logged, already masked. */
    default void stepLog(Step step, String line) {}

    default void stepFinished(StepRecord record) {}

    default void runFinished(RunResult result) {}
}
