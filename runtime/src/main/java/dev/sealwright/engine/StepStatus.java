package dev.sealwright.engine;

/** Outcome of one step in one run. */
public enum StepStatus {
    /** Ran and succeeded. */
    EXECUTED,
    /** Outputs reused from the cache. */
    CACHED,
    /** Ran and failed. */
    FAILED,
    /** Not run because a step it depends on failed or was skipped. */
    SKIPPED,
    /** Not run because the run stopped (another failure, or cancellation). */
    NOT_RUN;

    public boolean succeeded() {
        return this == EXECUTED || this == CACHED;
    }
}
