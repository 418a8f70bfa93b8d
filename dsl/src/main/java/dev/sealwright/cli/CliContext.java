package dev.sealwright.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The caller's working directory for one CLI invocation. A command run in its own JVM has none and
 * relative paths resolve as usual; the CLI daemon runs each request in the directory of the client
 * that sent it, so every {@code Path} option is resolved against that directory, and prints help in
 * colour when the client's terminal would have it (a JVM decides that from its own terminal, which the
 * daemon does not have).
 */
public final class CliContext {
    private static final InheritableThreadLocal<Path> CWD = new InheritableThreadLocal<>();
    private static final InheritableThreadLocal<Boolean> COLOUR = new InheritableThreadLocal<>();

    private CliContext() {}

    /** A path option's value: relative values name files in the caller's directory; "-" (standard input) stays as it is. */
    public static Path path(String value) {
        Path cwd = CWD.get();
        return cwd == null || value.equals("-") ? Path.of(value) : cwd.resolve(value);
    }

    /** Coloured help for the caller (true/false), or null in a JVM of its own: picocli decides (Ansi.AUTO). */
    public static Boolean colour() {
        return COLOUR.get();
    }

    /** Runs {@code body} with {@code cwd} as the caller's directory (absolute), help coloured or not as the caller's terminal wants. */
    public static <T> T within(Path cwd, boolean colour, Callable<T> body) throws Exception {
        if (!cwd.isAbsolute()) throw new IllegalArgumentException("not an absolute directory: " + cwd);
        Path previous = CWD.get();
        Boolean previousColour = COLOUR.get();
        CWD.set(cwd);
        COLOUR.set(colour);
        try {
            return body.call();
        } finally {
            if (previous == null) CWD.remove(); else CWD.set(previous);
            if (previousColour == null) COLOUR.remove(); else COLOUR.set(previousColour);
        }
    }
}
