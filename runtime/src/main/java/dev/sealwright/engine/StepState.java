package dev.sealwright.engine;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The key components of each step's last successful run, one file per pipeline
 * ({@code state/<pipeline>.json}): what {@code plan} diffs against. Loaded once, saved once per run.
 */
public final class StepState {
    public record Previous(String hash, Map<String, String> components, Map<String, String> display) {}

    private final Path file;
    private final Map<String, Previous> steps = new TreeMap<>();
    private boolean dirty;

    public StepState(Workspace ws, String pipeline) {
        this.file = ws.stateDir().resolve(pipeline + ".json");
        if (Files.isRegularFile(file)) load();
    }

    private void load() {
        try {
            Map<String, Previous> m = Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, Previous>>() {});
            steps.putAll(m);
        } catch (IOException | RuntimeException e) {
            // unreadable state only costs the explanations of the next plan
        }
    }

    public synchronized Optional<Previous> previous(String step) {
        return Optional.ofNullable(steps.get(step));
    }

    public synchronized void remember(String step, StepKey key) {
        Previous p = steps.get(step);
        if (p != null && p.hash().equals(key.hash())) return;
        steps.put(step, new Previous(key.hash(), new LinkedHashMap<>(key.components()), new LinkedHashMap<>(key.display())));
        dirty = true;
    }

    public synchronized void save() {
        if (!dirty) return;
        try {
            AtomicFiles.write(file, Json.pretty(steps).getBytes(StandardCharsets.UTF_8));
            dirty = false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
