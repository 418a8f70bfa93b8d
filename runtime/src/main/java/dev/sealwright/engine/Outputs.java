package dev.sealwright.engine;

import dev.sealwright.base.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** The outputs a finished step made available to its dependants: paths on disk, digests, values. */
record Outputs(Map<String, Path> paths, Map<String, String> digests, Map<String, Long> sizes, Map<String, Object> values) {

    /** Digest standing for an output in dependants' keys: content digest for files, canonical JSON for values. */
    String digest(String output) {
        if (digests.containsKey(output)) return digests.get(output);
        return values.containsKey(output) ? "value:" + Json.canonical(values.get(output)) : null;
    }

    static long sizeOf(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return Files.size(p);
        long total = 0;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : (Iterable<Path>) s::iterator)
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) total += Files.size(f);
        }
        return total;
    }
}
