package dev.sealwright.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The caller's working directory for one CLI invocation. A command run in its own JVM has none and
 * relative paths resolve as usual; the CLI daemon runs each request in the directory of the client
 * that sent it, so every {@code Path} option is resolved against that directory.
 */
public final class CliContext {
    private static final InheritableThreadLocal<Path> CWD = new InheritableThreadLocal<>();

    private CliContext() {}

    /** A path option's value: relative values name files in the caller's directory; "-" (standard input) stays as it is. */
    public static Path path(String value) {
        Path cwd = CWD.get();
        return cwd == null || value.equals("-") ? Path.of(value) : cwd.resolve(value);
    }

    /** Runs {@code body} with {@code cwd} as the caller's directory (absolute). */
    public static <T> T within(Path cwd, Callable<T> body) throws Exception {
        if (!cwd.isAbsolute()) throw new IllegalArgumentException("not an absolute directory: " + cwd);
        Path previous = CWD.get();
        CWD.set(cwd);
        try {
            return body.call();
        } finally {
            if (previous == null) CWD.remove(); else CWD.set(previous);
        }
    }
}
