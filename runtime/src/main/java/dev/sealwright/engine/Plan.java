package dev.sealwright.engine;

import java.util.List;

/** What {@code run} would do, step by step, and why each step that would run is not cached. */
public record Plan(Pipeline pipeline, List<Entry> entries) {
    public enum Action { RUN, CACHED }

    /** @param key the cache key if computable now (null when an upstream step must run first, or for live steps) */
    public record Entry(Step step, Action action, String key, List<String> reasons) {}

    public long count(Action a) {
        return entries.stream().filter(e -> e.action() == a).count();
    }
}
