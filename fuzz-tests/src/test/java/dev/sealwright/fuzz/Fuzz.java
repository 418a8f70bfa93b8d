package dev.sealwright.fuzz;

import dev.sealwright.base.RecipeException;
import dev.sealwright.base.OneLine;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What every fuzz target shares. A parser given bad bytes may only throw its documented one-line
 * input error, {@link RecipeException} (the CLI prints it as one line). Anything else that escapes
 * a target (another exception, an {@link OutOfMemoryError}, a {@link StackOverflowError}, a
 * multi-line message, a hang) is a finding: Jazzer stores the input under
 * {@code src/test/resources/dev/sealwright/fuzz/<Target>Inputs/fuzz/}, where it stays as a
 * regression input that every later run replays.
 */
final class Fuzz {
    private Fuzz() {}

    /** Runs {@code parse}; a {@link RecipeException} is the expected rejection and must be one line. */
    static void expectOneLine(ThrowingRunnable parse) throws Exception {
        try {
            parse.run();
        } catch (RecipeException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank() || !OneLine.is(m)) {   // RecipeException escapes by construction: this guards that
                throw new AssertionError("input error is not one line: " + m, e);
            }
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** A published vector under ../shared/fixtures (the project's sibling folder); missing means a broken checkout. */
    static Path fixture(String relative) {
        Path repo = Path.of(System.getProperty("sealwright.repo", System.getProperty("user.dir") + "/.."));
        Path p = repo.resolve("../shared/fixtures").resolve(relative).normalize();
        if (!Files.isRegularFile(p)) throw new IllegalStateException("fixture missing: " + p + " (the fuzz seeds read ../shared/fixtures)");
        return p;
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] fixtureBytes(String relative) {
        return read(fixture(relative));
    }

    /** {@code tag} followed by {@code body}: targets that parse several formats pick one by the first byte. */
    static byte[] tagged(int tag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    static byte[] rest(byte[] data) {
        return java.util.Arrays.copyOfRange(data, 1, data.length);
    }

    static Stream<Arguments> seeds(List<byte[]> seeds) {
        return seeds.stream().map(s -> Arguments.of((Object) s));
    }

    /** A scratch file for parsers that take a path; one per target JVM, rewritten for every input. */
    static Path scratch(String name, byte[] content) {
        try {
            Path dir = scratchDir();
            Path f = dir.resolve(name);
            Files.write(f, content);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path scratchDir;

    static synchronized Path scratchDir() throws IOException {
        if (scratchDir == null) {
            Path shm = Path.of("/dev/shm");
            scratchDir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "sealwright-fuzz-")
                    : Files.createTempDirectory("sealwright-fuzz-");
            Path d = scratchDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
        }
        return scratchDir;
    }

    /** An empty directory under the scratch directory (for parsers that spill file contents). */
    static Path emptyDir(String name) throws IOException {
        Path d = scratchDir().resolve(name);
        deleteTree(d);
        return Files.createDirectories(d);
    }

    static void deleteTree(Path d) {
        if (!Files.exists(d)) return;
        try (var walk = Files.walk(d)) {
            List<Path> all = new ArrayList<>(walk.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Executions of one target in this JVM, printed when it ends. */
    static final class Counter {
        private final String target;
        private final AtomicLong runs = new AtomicLong();
        private final long start = System.nanoTime();

        Counter(String target) {
            this.target = target;
        }

        void tick() {
            runs.incrementAndGet();
        }

        void report() {
            double s = (System.nanoTime() - start) / 1e9;
            String mode = "1".equals(System.getenv("JAZZER_FUZZ")) ? "fuzzed" : "replayed";
            System.out.printf("fuzz %s: %d executions (%s) in %.1f s, %.0f/s%n", target, runs.get(), mode, s, runs.get() / Math.max(s, 1e-9));
        }
    }
}
