package dev.sealwright.tools;

import dev.sealwright.base.AtomicFiles;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * Finds and runs external programs. Every ProcessBuilder in sealwright goes through here so that
 * missing tools, failures and timeouts produce the same clear messages, and the versions actually
 * used are recorded (for cache keys and run reports).
 */
public final class Tools {
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final Map<String, String> versionCache;
    private final Map<String, String> used = new ConcurrentHashMap<>();
    private final List<String> searchPath;

    public Tools() {
        this(new ConcurrentHashMap<>(), defaultSearchPath());
    }

    private Tools(Map<String, String> versionCache, List<String> searchPath) {
        this.versionCache = versionCache;
        this.searchPath = searchPath;
    }

    /** A view sharing the version cache but recording its own usage (one per step execution). */
    public Tools recording() {
        return new Tools(versionCache, searchPath);
    }

    /** Same tools, searched on the given PATH instead of the process's (tests use this to hide a tool). */
    public Tools withSearchPath(String pathVariable) {
        return new Tools(new ConcurrentHashMap<>(), Arrays.asList(pathVariable.split(File.pathSeparator)));
    }

    private static List<String> defaultSearchPath() {
        List<String> dirs = new ArrayList<>();
        String env = System.getenv("PATH");
        if (env != null) dirs.addAll(Arrays.asList(env.split(File.pathSeparator)));
        for (String d : EXTRA_DIRS) if (!dirs.contains(d)) dirs.add(d);
        return dirs;
    }

    /** The tool's path if present. */
    public Optional<Path> locate(String name) {
        ToolSpec spec = ToolRegistry.get(name);
        if (spec != null && spec.isFile()) {
            return spec.files().stream().map(Path::of).filter(Files::isRegularFile).findFirst();
        }
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : searchPath) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** The tool's path, or a {@link ToolNotFoundException} naming the Debian package to install. */
    public Path find(String name) {
        ToolSpec spec = ToolRegistry.get(name);
        return locate(name).orElseThrow(() -> new ToolNotFoundException(name, spec == null ? null : spec.debianPackage()));
    }

    /** The tool's version as it reports it ("8.2.2"), "unknown" if it does not say, or the package version for files. */
    public String version(String name) {
        return versionCache.computeIfAbsent(name, this::probeVersion);
    }

    private String probeVersion(String name) {
        ToolSpec spec = ToolRegistry.get(name);
        Path path = find(name);
        if (spec != null && spec.isFile()) return packageVersion(spec.debianPackage()).orElse("unknown");
        List<String> args = spec == null ? List.of("--version") : spec.versionArgs();
        if (args.isEmpty()) return packageVersion(spec.debianPackage()).orElse("unknown");
        List<String> argv = new ArrayList<>();
        argv.add(path.toString());
        argv.addAll(args);
        try {
            ToolResult r = execute(name, argv, null, null, Duration.ofSeconds(20), Map.of());
            String text = (r.stdout() + "\n" + r.stderr()).strip();
            String first = text.isEmpty() ? "" : text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            Matcher m = (spec == null ? ToolSpec.program(name, null, null, "").versionPattern() : spec.versionPattern()).matcher(first);
            return m.find() ? m.group(1) : "unknown";
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private Optional<String> packageVersion(String pkg) {
        if (pkg == null || locate("dpkg-query").isEmpty()) return Optional.empty();
        try {
            ToolResult r = execute("dpkg-query", List.of(find("dpkg-query").toString(), "-W", "-f=${Version}", pkg),
                    null, null, Duration.ofSeconds(20), Map.of());
            return r.ok() && !r.stdout().isBlank() ? Optional.of(r.stdout().strip()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Tools this instance ran, with their versions, sorted by name. */
    public Map<String, String> used() {
        return new TreeMap<>(used);
    }

    /** Starts building an invocation of {@code name} with arguments. */
    public Invocation exec(String name, Object... args) {
        List<String> argv = new ArrayList<>();
        for (Object a : args) argv.add(String.valueOf(a));
        return new Invocation(name, argv);
    }

    /** One external program run: fluent options, then {@link #run()}. */
    public final class Invocation {
        private final String name;
        private final List<String> args;
        private Path cwd;
        private byte[] stdin;
        private Duration timeout = DEFAULT_TIMEOUT;
        private final Map<String, String> env = new LinkedHashMap<>();
        private boolean allowFailure;

        private Invocation(String name, List<String> args) {
            this.name = name;
            this.args = args;
        }

        public Invocation cwd(Path dir) { this.cwd = dir; return this; }
        public Invocation stdin(byte[] bytes) { this.stdin = bytes; return this; }
        public Invocation timeout(Duration t) { this.timeout = t; return this; }
        public Invocation env(String k, String v) { env.put(k, v); return this; }
        /** Return non-zero exits as results instead of throwing. */
        public Invocation allowFailure() { this.allowFailure = true; return this; }

        public ToolResult run() {
            Path path = find(name);
            used.put(name, version(name));
            List<String> argv = new ArrayList<>();
            argv.add(path.toString());
            argv.addAll(args);
            ToolResult r = execute(name, argv, cwd, stdin, timeout, env);
            if (!r.ok() && !allowFailure) {
                throw new ToolFailedException(name + " exited with " + r.exitCode() + tail(r.stderr().isBlank() ? r.stdout() : r.stderr()), r.exitCode());
            }
            return r;
        }

        /**
         * Starts the program without waiting (long-running services such as qemu and swtpm); its
         * output goes to the given files. The caller owns the process and must end it. When this
         * build carries the {@code lifeline} helper the program runs under it, so it also ends if
         * this JVM is killed (SIGKILL included): the returned process is then lifeline, which
         * forwards SIGTERM/SIGINT and exits with the program's status; the program is its child.
         */
        public Process start(Path stdoutFile, Path stderrFile) {
            Path path = find(name);
            used.put(name, version(name));
            List<String> argv = new ArrayList<>();
            Path lifeline = lifeline();
            if (lifeline != null) argv.add(lifeline.toString());
            argv.add(path.toString());
            argv.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutFile.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                    // lifeline's stdin is the pipe only this JVM holds: its end of file means the JVM is gone
                    .redirectInput(lifeline != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (cwd != null) pb.directory(cwd.toFile());
            pb.environment().putAll(env);
            try {
                return pb.start();
            } catch (IOException e) {
                throw new ToolFailedException("cannot start " + name + ": " + e.getMessage(), -1);
            }
        }
    }

    private static Path lifeline() {
        if (!NativeHelpers.available().contains("lifeline")) return null;
        return NativeHelpers.path("lifeline");
    }

    /** The longest {@link #destroyTree} waits for the killed processes to end (one in uninterruptible sleep may take long). */
    static final Duration DESTROY_WAIT = Duration.ofSeconds(10);

    /**
     * Forcibly ends a started program and everything below it (lifeline and its child included), and returns
     * once all of them have ended, or after {@link #DESTROY_WAIT}. The program itself is killed last and its
     * descendants are listed again after each round of kills, so a child it forks meanwhile is killed too. Not
     * reachable: a process forked by a descendant in the instant before that descendant died, as it is re-parented
     * (lifeline ends its own process group when it goes).
     */
    public static void destroyTree(Process p) {
        long deadline = System.nanoTime() + DESTROY_WAIT.toNanos();
        Set<ProcessHandle> killed = new LinkedHashSet<>();
        boolean more = true;
        while (more && System.nanoTime() < deadline) {
            more = false;
            for (ProcessHandle h : p.descendants().toList()) {
                if (killed.add(h)) {
                    h.destroyForcibly();
                    more = true;
                }
            }
        }
        p.destroyForcibly();
        killed.add(p.toHandle());
        // polled: onExit of a process that is not our child sleeps 300 ms and more between its checks
        while (true) {
            killed.removeIf(h -> !h.isAlive() || zombie(h));
            if (killed.isEmpty() || System.nanoTime() >= deadline) return;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * True when {@code h} has ended and only waits to be reaped (state Z in /proc): its memory, files and sockets
     * are released. An orphan is reaped by init, which in some containers takes a second or two.
     */
    private static boolean zombie(ProcessHandle h) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            return stat.startsWith(" Z ", stat.lastIndexOf(')') + 1);
        } catch (IOException e) {
            return false;   // gone meanwhile, or no /proc: isAlive decides
        }
    }

    private static String tail(String text) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) return "";
        return ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static ToolResult execute(String name, List<String> argv, Path cwd, byte[] stdin, Duration timeout, Map<String, String> env) {
        Path out = null, err = null;
        Process p = null;
        try {
            // named after this process: a killed JVM's leftovers go with the next run of the same tool
            Path base = Path.of(System.getProperty("java.io.tmpdir"), "sealwright-" + safe(name));
            out = AtomicFiles.tempFile(base, ".out");
            err = AtomicFiles.tempFile(base, ".err");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (cwd != null) pb.directory(cwd.toFile());
            pb.environment().putAll(env);
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin);
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new ToolFailedException(name + " timed out after " + (timeout.toMillis() < 1000 ? timeout.toMillis() + "ms" : timeout.toSeconds() + "s"), -1);
            }
            return new ToolResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            if (p != null) kill(p);
            Thread.currentThread().interrupt();
            throw new ToolFailedException(name + " was cancelled", -1);
        } catch (IOException e) {
            throw new ToolFailedException("cannot run " + name + ": " + e.getMessage(), -1);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void kill(Process p) {
        destroyTree(p);
    }

    private static void delete(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // temp file cleanup is best effort
        }
    }
}
