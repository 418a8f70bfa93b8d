package dev.sealwright.engine;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Content-addressed store of step outputs: {@code cache/<k0k1>/<key>/} holds {@code outputs/} and
 * {@code entry.json}. An entry appears by one atomic rename of a finished temp directory, so a
 * killed run never leaves a half-written entry.
 */
public final class Cache {
    /** A stored result. {@code outputs}: name → {path relative to outputs/, digest, size}. */
    public record Entry(Path dir, Map<String, Map<String, Object>> outputs, Map<String, Object> values) {
        public Path outputPath(String name) {
            return dir.resolve("outputs").resolve(String.valueOf(outputs.get(name).get("path")));
        }

        public String digest(String name) {
            return String.valueOf(outputs.get(name).get("digest"));
        }

        public long size(String name) {
            return ((Number) outputs.get(name).get("size")).longValue();
        }
    }

    private final Workspace ws;

    public Cache(Workspace ws) {
        this.ws = ws;
    }

    public Path entryDir(String key) {
        return ws.cacheDir().resolve(key.substring(0, 2)).resolve(key);
    }

    /** The entry for a key if complete and every declared output is still present. */
    public Optional<Entry> lookup(String key, StepType type) {
        Path dir = entryDir(key);
        Path meta = dir.resolve("entry.json");
        if (!Files.isRegularFile(meta)) return Optional.empty();
        try {
            Map<String, Object> m = Json.MAPPER.readValue(meta.toFile(), new TypeReference<>() {});
            @SuppressWarnings("unchecked") Map<String, Map<String, Object>> outs = (Map<String, Map<String, Object>>) m.get("outputs");
            @SuppressWarnings("unchecked") Map<String, Object> values = (Map<String, Object>) m.getOrDefault("values", Map.of());
            Entry e = new Entry(dir, outs, values);
            for (OutputSpec o : type.outputs()) {
                if (o.isPath() && (!outs.containsKey(o.name()) || !Files.exists(e.outputPath(o.name())))) return Optional.empty();
                if (!o.isPath() && !values.containsKey(o.name())) return Optional.empty();
            }
            return Optional.of(e);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // damaged entry: treated as a miss and replaced
        }
    }

    /**
     * Moves a finished temp directory (holding {@code outputs/}) into the store under {@code key},
     * writing {@code entry.json} first. Files are made read-only: published copies are hard links.
     */
    public Entry store(String key, Path tempDir, Map<String, Map<String, Object>> outputs, Map<String, Object> values,
                       Map<String, Object> about) {
        try {
            Map<String, Object> meta = new LinkedHashMap<>(about);
            meta.put("key", key);
            meta.put("outputs", outputs);
            meta.put("values", values);
            Files.writeString(tempDir.resolve("entry.json"), Json.pretty(meta));
            makeReadOnly(tempDir.resolve("outputs"));
            Path dir = entryDir(key);
            Files.createDirectories(dir.getParent());
            if (Files.exists(dir)) {
                Path old = ws.newTempDir("replaced");
                AtomicFiles.move(dir, old.resolve("entry"));
                AtomicFiles.deleteTree(old);
            }
            Files.move(tempDir, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new Entry(dir, outputs, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void makeReadOnly(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator)
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) p.toFile().setWritable(false, false);
        }
    }
}
