package dev.sealwright.engine.observe;

import dev.sealwright.Sealwright;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.engine.RunListener;
import dev.sealwright.engine.RunResult;
import dev.sealwright.engine.StepRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code --report run.json}: steps, status, durations, input/output digests, external tool versions.
 * Every object's keys come out sorted ({@link Json}'s mapper orders map entries by key, whatever the map type),
 * and steps in the pipeline's order, so the same run gives the same bytes in any JVM; only "started" and
 * "duration_ms" are times.
 */
public final class JsonRunReport implements RunListener {
    private final Path file;
    private final Map<String, Object> libraries;

    public JsonRunReport(Path file) {
        this(file, Map.of());
    }

    /** {@code libraries}: the recipe libraries the recipe used, name → version and source (git commit, jar SHA-256). */
    public JsonRunReport(Path file, Map<String, Object> libraries) {
        this.file = file;
        this.libraries = Map.copyOf(libraries);
    }

    @Override
    public void runFinished(RunResult r) {
        try {
            Map<String, Object> m = toMap(r);
            if (!libraries.isEmpty()) m.put("libraries", new java.util.TreeMap<>(libraries));
            AtomicFiles.write(file, Json.pretty(m).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + file, e);
        }
    }

    public static Map<String, Object> toMap(RunResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sealwright", Sealwright.version());
        m.put("pipeline", r.pipeline());
        m.put("status", r.cancelled() ? "cancelled" : r.ok() ? "ok" : "failed");
        m.put("started", Instant.ofEpochMilli(r.startedEpochMs()).toString());
        m.put("duration_ms", r.durationMs());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepRecord s : r.steps()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", s.name());
            e.put("type", s.type());
            e.put("kind", s.kind().name().toLowerCase());
            e.put("status", s.status().name().toLowerCase());
            if (s.key() != null) e.put("key", s.key());
            if (s.startedEpochMs() > 0) e.put("started", Instant.ofEpochMilli(s.startedEpochMs()).toString());
            e.put("duration_ms", s.durationMs());
            e.put("inputs", s.inputs());
            Map<String, Object> outs = new LinkedHashMap<>();
            s.outputs().forEach((k, v) -> outs.put(k, Map.of("path", v.path().toString(), "digest", v.digest(), "size", v.size())));
            e.put("outputs", outs);
            if (!s.values().isEmpty()) e.put("values", s.values());
            e.put("tools", s.tools());
            if (s.error() != null) e.put("error", s.error());
            steps.add(e);
        }
        m.put("steps", steps);
        m.put("tools", r.tools());
        return m;
    }
}
