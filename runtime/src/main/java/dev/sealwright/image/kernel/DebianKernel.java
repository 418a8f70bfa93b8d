package dev.sealwright.image.kernel;

import dev.sealwright.base.CacheDirs;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Progress;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Apt;
import dev.sealwright.tools.ToolFailedException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Debian kernel image package: resolved from a glob ({@code linux-image-6.12.*-cloud-amd64}) to the
 * newest matching package apt knows (lists refreshed first when stale or without a match, see {@link Apt}),
 * fetched with {@code apt-get download} into
 * {@code ~/.cache/sealwright/kernels/}, unpacked with {@code dpkg-deb -x}, and given a modules.dep
 * by {@code depmod -b} (Debian generates it at install time, the .deb does not carry one).
 */
public final class DebianKernel {
    /** The default: Debian 12's 6.12 cloud kernel (bookworm-security / backports), which has the TDX/SEV guest drivers. */
    public static final String DEFAULT_PACKAGE = "linux-image-6.12.*-cloud-amd64";
    /** Where Debian 12 gets the 6.12 kernels from. */
    static final String SUITE = "bookworm-security (deb http://deb.debian.org/debian-security bookworm-security main)";

    /** An unpacked kernel: {@code root} holds boot/vmlinuz-RELEASE and lib/modules/RELEASE. */
    public record Unpacked(String packageName, String release, Path root) {
        public Path vmlinuz() { return root.resolve("boot/vmlinuz-" + release); }
        public Path modulesDir() { return root.resolve("lib/modules/" + release); }
    }

    private final Apt apt;
    private final Tools tools;
    private final Path cacheRoot;
    private final Consumer<String> log;

    public DebianKernel(Tools tools, Path cacheRoot, Consumer<String> log) {
        this.tools = tools;
        this.apt = new Apt(tools, log);
        this.cacheRoot = cacheRoot;
        this.log = log;
    }

    public static Path defaultCacheRoot() {
        return CacheDirs.root().resolve("kernels");
    }

    /**
     * The newest package name apt knows matching the glob ({@code *} = any run of characters); an
     * exact name must have a candidate version. Stale lists, or lists without a match, are refreshed once.
     */
    public String resolve(String glob) {
        return apt.resolve("kernel debian('" + glob + "')", SUITE, () -> match(glob));
    }

    /** The package name the glob matches in apt's current lists (no refresh), if any. */
    private Optional<String> match(String glob) {
        if (!glob.contains("*")) return apt.candidate(glob).map(v -> glob);
        Pattern p = Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
        String prefix = glob.substring(0, glob.indexOf('*'));
        return apt.exec("apt-cache", "pkgnames", prefix).timeout(Duration.ofMinutes(2)).run().stdout()
                .lines().map(String::strip).filter(n -> p.matcher(n).matches()).max(DebianKernel::compareVersions);
    }

    /** "PACKAGE VERSION" that {@link #resolve} would pick from apt's current lists, never refreshing them; "none" when nothing matches. */
    public String currentCandidate(String glob) {
        return match(glob).map(n -> n + " " + apt.candidate(n).orElse("none")).orElse("none");
    }

    /**
     * {@link #resolve} then {@link #fetch}. A download that fails from lists that were not just
     * refreshed (the mirror dropped the version they name) refreshes them, resolves again and retries.
     */
    public Unpacked resolveAndFetch(String glob) throws IOException {
        return resolveAndFetch(glob, Progress.NONE);
    }

    /** {@link #resolveAndFetch(String)} reporting the download's bytes (of the .deb's size in apt's lists) to {@code progress}. */
    public Unpacked resolveAndFetch(String glob, Progress progress) throws IOException {
        String pkg = resolve(glob);
        try {
            return fetch(pkg, progress);
        } catch (ToolFailedException e) {
            if (apt.refreshed()) throw e;
            apt.refresh("kernel debian('" + glob + "'): apt-get download " + pkg + " failed");
            return fetch(resolve(glob), progress);
        }
    }

    /** Downloads (once) and unpacks the package; returns its files. */
    public Unpacked fetch(String packageName) throws IOException {
        return fetch(packageName, Progress.NONE);
    }

    /**
     * {@link #fetch(String)}; while apt-get downloads, the bytes it has written so far (under the download
     * directory, its {@code partial/} included) are reported to {@code progress} five times a second, of the
     * package's {@code Size} in apt's lists (below it until apt-get has finished), and once at the end (then
     * only, when apt-cache does not give the size).
     */
    public Unpacked fetch(String packageName, Progress progress) throws IOException {
        if (!packageName.matches("[a-z0-9][a-z0-9.+~-]*")) throw new RecipeException("kernel debian('" + packageName + "'): not a Debian package name");
        Path dir = cacheRoot.resolve(packageName);
        Path root = dir.resolve("root");
        Path done = dir.resolve("unpacked.ok");
        if (!Files.isRegularFile(done)) {
            Files.createDirectories(dir);
            if (findDeb(dir) == null) { // downloaded beside, moved in whole: a killed download leaves no partial .deb here
                log.accept("apt-get download " + packageName);
                Path partial = dir.resolve("download.partial");
                AtomicFiles.deleteTree(partial);
                Files.createDirectories(partial);
                long size = debSize(packageName);
                ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "kernel download progress");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    if (size > 0) poll.scheduleAtFixedRate(() -> progress.update(Math.min(bytesUnder(partial), size - 1), size), 0, 200, TimeUnit.MILLISECONDS);
                    apt.exec("apt-get", "download", packageName).cwd(partial).timeout(Duration.ofMinutes(10)).run();
                } finally {
                    poll.shutdownNow();
                    try {
                        poll.awaitTermination(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                long got = bytesUnder(partial);
                if (got > 0) progress.update(got, got);     // done: what apt-get wrote (the Size of the lists, unless they are stale)
                Path deb = findDeb(partial);
                if (deb != null) AtomicFiles.move(deb, dir.resolve(deb.getFileName()));
                AtomicFiles.deleteTree(partial);
            }
            Path deb = findDeb(dir);
            if (deb == null) throw new RecipeException("kernel debian('" + packageName + "'): apt-get download produced no .deb in " + dir);
            if (Files.exists(root)) AtomicFiles.deleteTree(root);
            tools.exec("dpkg-deb", "-x", deb, root).run();
            String release = releaseOf(root, packageName);
            tools.exec("depmod", "-b", root, release).run();
            AtomicFiles.write(done, (release + "\n").getBytes());
        }
        return new Unpacked(packageName, releaseOf(root, packageName), root);
    }

    /** The .deb's size in apt's lists ({@code apt-cache show}'s Size field), or -1. */
    private long debSize(String packageName) {
        try {
            return apt.exec("apt-cache", "show", "--no-all-versions", packageName).timeout(Duration.ofMinutes(1)).run().stdout().lines()
                    .filter(l -> l.startsWith("Size:")).map(l -> Long.parseLong(l.substring(5).strip())).findFirst().orElse(-1L);
        } catch (RuntimeException e) {      // the progress goes without a total; apt-get download itself says what is wrong
            return -1;
        }
    }

    /** Bytes of the regular files under {@code dir} (0 while it is being created or cleaned). */
    private static long bytesUnder(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static Path findDeb(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
        }
    }

    private static String releaseOf(Path root, String pkg) throws IOException {
        Path boot = root.resolve("boot");
        try (Stream<Path> s = Files.exists(boot) ? Files.list(boot) : Stream.empty()) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-")).toList();
            if (names.size() != 1) throw new RecipeException("kernel debian('" + pkg + "'): expected one boot/vmlinuz-* in the package, found " + names);
            return names.get(0).substring("vmlinuz-".length());
        }
    }

    /** Orders package names by their embedded numbers (6.12.9 &lt; 6.12.117). */
    static int compareVersions(String a, String b) {
        String[] x = a.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)"), y = b.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Character.isDigit(x[i].charAt(0)) && Character.isDigit(y[i].charAt(0))
                    ? Comparator.<java.math.BigInteger>naturalOrder().compare(new java.math.BigInteger(x[i]), new java.math.BigInteger(y[i]))
                    : x[i].compareTo(y[i]);
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }
}
