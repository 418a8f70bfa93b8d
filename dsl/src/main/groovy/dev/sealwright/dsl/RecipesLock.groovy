package dev.sealwright.dsl

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.RecipeException
import dev.sealwright.base.Json

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/**
 * {@code recipes.lock} beside a recipe: for each shared library it used ({@code use 'git+…@v1.2'},
 * {@code use 'group:artifact:version'}), exactly what was resolved — name, version and the git commit or the
 * jar's SHA-256 — so a rerun (CI) loads the same bytes. JSON, keys sorted, rewritten only when an entry changes.
 */
class RecipesLock {
    final Path file
    private final Map<String, Map> entries

    RecipesLock(Path file) {
        this.file = file
        if (!Files.isRegularFile(file)) {
            entries = new TreeMap<>()
            return
        }
        try {
            def doc = Json.MAPPER.readValue(file.toFile(), Object)
            entries = new TreeMap<>((doc instanceof Map && doc.libraries instanceof Map ? doc.libraries : [:]) as Map<String, Map>)
        } catch (Exception e) {
            throw new RecipeException("${file}: not a recipes.lock (JSON with \"libraries\"): ${e.message?.readLines()?.first()}")
        }
    }

    Map get(String spec) { entries[spec] }

    void put(String spec, Map entry) {
        Map sorted = new TreeMap(entry)
        if (entries[spec] == sorted) return
        entries[spec] = sorted
        AtomicFiles.write(file, (Json.pretty(new TreeMap([lockVersion: 1, libraries: entries])) + '\n').getBytes(StandardCharsets.UTF_8))
    }
}
