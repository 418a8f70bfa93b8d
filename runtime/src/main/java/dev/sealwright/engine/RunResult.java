package dev.sealwright.engine;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The outcome of a run: one record per step in pipeline order. */
public record RunResult(String pipeline, boolean cancelled, List<StepRecord> steps, long startedEpochMs, long durationMs) {
    public boolean ok() {
        return !cancelled && steps.stream().allMatch(r -> r.status().succeeded());
    }

    public StepRecord step(String name) {
        return steps.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    public long count(StepStatus s) {
        return steps.stream().filter(r -> r.status() == s).count();
    }

    /** Every external program any step ran, with its version. */
    public Map<String, String> tools() {
        Map<String, String> all = new TreeMap<>();
        for (StepRecord r : steps) all.putAll(r.tools());
        return all;
    }
}
