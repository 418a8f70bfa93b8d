package dev.sealwright.tools;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * apt as sealwright uses it to resolve Debian packages: a query against the package lists is
 * answered from the lists as they are when they are fresh and know the package; when they are
 * older than a day, or do not know it, they are refreshed once ({@code apt-get update}, root only)
 * and the query is asked again. Only then does it fail, in one line naming the package and the
 * suite to add.
 *
 * <p>apt's configuration can be redirected (tests point {@code Dir::State::Lists} at a private
 * directory): the system property {@value #CONFIG_PROPERTY}, else apt's own {@code APT_CONFIG}
 * environment variable, names the apt.conf every apt program here runs with.
 */
public final class Apt {
    public static final String CONFIG_PROPERTY = "sealwright.apt.config";
    static final Duration MAX_AGE = Duration.ofDays(1);

    private final Tools tools;
    private final String config;
    private final Consumer<String> log;
    private boolean refreshed;
    private String updateFailure;

    public Apt(Tools tools, Consumer<String> log) {
        this.tools = tools;
        this.config = System.getProperty(CONFIG_PROPERTY, System.getenv("APT_CONFIG"));
        this.log = log;
    }

    /** An apt program ({@code apt-get}, {@code apt-cache}, ...) with this configuration. */
    public Tools.Invocation exec(String program, Object... args) {
        Tools.Invocation i = tools.exec(program, args).env("DEBIAN_FRONTEND", "noninteractive");
        return config == null || config.isBlank() ? i : i.env("APT_CONFIG", config);
    }

    /** The directory apt reads its package lists from ({@code Dir::State::Lists}). */
    public Path listsDir() {
        String out = exec("apt-config", "shell", "L", "Dir::State::Lists/d").timeout(Duration.ofSeconds(30)).run().stdout().strip();
        if (!out.startsWith("L='") || !out.endsWith("'")) throw new RecipeException("apt-config: cannot read Dir::State::Lists (printed: " + out + ")");
        return Path.of(out.substring(3, out.length() - 1));
    }

    /**
     * When apt last refreshed its lists: the newest change of the lists directory, its partial/
     * directory or a list file (apt-get update rewrites the directories even when nothing changed,
     * while unchanged list files keep the archive's date); {@link Instant#EPOCH} when there are none.
     */
    public Instant listsUpdated() {
        Path dir = listsDir();
        if (!Files.isDirectory(dir)) return Instant.EPOCH;
        try (Stream<Path> s = Stream.concat(Stream.of(dir), Files.list(dir))) {
            return s.map(Apt::mtime).max(Instant::compareTo).orElse(Instant.EPOCH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return FileTime.fromMillis(0).toInstant(); // a file apt removed meanwhile
        }
    }

    public boolean listsFresh() {
        return listsUpdated().isAfter(Instant.now().minus(MAX_AGE));
    }

    /**
     * Answers {@code query} from fresh lists: refreshes them first when they are older than a day,
     * and once more when the query finds nothing. As non-root the lists stay as they are.
     *
     * @param what    the thing looked up, as the error line names it ("kernel debian('linux-image-6.12.*')")
     * @param suite   the apt suite that provides it, named in the error ("bookworm-security (deb http://... main)")
     */
    public <T> T resolve(String what, String suite, Supplier<Optional<T>> query) {
        if (!refreshed && !listsFresh() && isRoot()) refresh(what + ": the apt lists are older than a day");
        Optional<T> found = query.get();
        if (found.isPresent()) return found.get();
        if (refreshed) throw notFound(what, suite);
        if (!isRoot())
            throw new RecipeException(what + ": not in the apt lists, and refreshing them needs root: run apt-get update as root"
                    + " (add the suite " + suite + " if it is missing)");
        refresh(what + ": not in the apt lists");
        return query.get().orElseThrow(() -> notFound(what, suite));
    }

    private RecipeException notFound(String what, String suite) {
        return new RecipeException(what + ": not in the apt lists even after apt-get update"
                + (updateFailure == null ? "" : " (which failed: " + updateFailure + ")")
                + "; add the suite " + suite + " to /etc/apt/sources.list.d/");
    }

    /** Runs {@code apt-get update} once per instance; needs root. A failed update (a mirror down) is logged: the lists may still be usable. */
    public void refresh(String why) {
        if (refreshed) return;
        if (!isRoot()) throw new RecipeException(why + "; refreshing them needs root: run apt-get update as root");
        log.accept(why + ": refreshing them (apt-get update)");
        ToolResult r = exec("apt-get", "-q", "update").timeout(Duration.ofMinutes(10)).allowFailure().run();
        refreshed = true;
        if (!r.ok()) {
            updateFailure = "exit " + r.exitCode() + ": " + (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip().lines().reduce((a, b) -> b).orElse("");
            log.accept("apt-get update failed (" + updateFailure + ")");
        }
    }

    /** The package's candidate version in the lists ({@code apt-cache policy}), if it has one. */
    public Optional<String> candidate(String pkg) {
        String policy = exec("apt-cache", "policy", pkg).timeout(Duration.ofMinutes(2)).run().stdout();
        return policy.lines().map(String::strip).filter(l -> l.startsWith("Candidate:")).map(l -> l.substring("Candidate:".length()).strip())
                .filter(v -> !v.equals("(none)")).findFirst();
    }

    public boolean refreshed() {
        return refreshed;
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
