package dev.sealwright.engine;

import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The key components of each step's last successful run, per pipeline: what {@code plan} diffs against. */
public final class StepState {
    private final Path dir;

    public StepState(Workspace ws, String pipeline) {
        this.dir = ws.stateDir().resolve(pipeline);
    }

    public record Previous(String hash, Map<String, String> components, Map<String, String> display) {}

    public Optional<Previous> previous(String step) {
        Path f = dir.resolve(step + ".json");
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            Map<String, Object> m = Json.MAPPER.readValue(f.toFile(), new TypeReference<>() {});
            @SuppressWarnings("unchecked") Map<String, String> comps = (Map<String, String>) m.get("components");
            @SuppressWarnings("unchecked") Map<String, String> disp = (Map<String, String>) m.get("display");
            return Optional.of(new Previous((String) m.get("key"), comps, disp));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public void remember(String step, StepKey key) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key.hash());
        m.put("components", key.components());
        m.put("display", key.display());
        try {
            AtomicFiles.write(dir.resolve(step + ".json"), Json.pretty(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
