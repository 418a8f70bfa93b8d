package dev.sealwright.image.kernel;

import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import dev.sealwright.tools.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code kernel}: a Debian kernel package as a directory {@code boot/vmlinuz-R} + {@code lib/modules/R}
 * (with modules.dep). The package glob is resolved when the step runs, so the cache key holds
 * the glob: name an exact package to pin the kernel.
 */
public final class KernelStep implements StepType {
    @Override public String name() { return "kernel"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "fetch a Debian kernel package (vmlinuz + modules with modules.dep)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.optional("debian", String.class, DebianKernel.DEFAULT_PACKAGE,
                "Debian package name or glob, newest match wins"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.directory("kernel", "kernel", "boot/vmlinuz-R and lib/modules/R"),
                OutputSpec.value("package", "the Debian package used"),
                OutputSpec.value("release", "kernel release (uname -r)"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        return List.of("apt-get", "apt-cache", "dpkg-deb", "depmod");
    }

    /** The package and version the glob resolves to now: a newer kernel in apt's lists re-runs the step. */
    @Override
    public Map<String, String> keyFacts(Map<String, Object> options, Tools tools) {
        if (tools.locate("apt-cache").isEmpty()) return Map.of();
        Object glob = options.getOrDefault("debian", DebianKernel.DEFAULT_PACKAGE);
        try {
            return Map.of("package", new DebianKernel(tools, DebianKernel.defaultCacheRoot(), l -> { }).currentCandidate(String.valueOf(glob)));
        } catch (RuntimeException e) {   // apt-cache failed: the step itself will say why when it runs
            return Map.of("package", "unknown (apt-cache failed)");
        }
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        DebianKernel dk = new DebianKernel(ctx.tools(), DebianKernel.defaultCacheRoot(), ctx::log);
        DebianKernel.Unpacked k = dk.resolveAndFetch(ctx.string("debian"), (done, total) -> ctx.progress(done, total, "bytes"));
        String pkg = k.packageName();
        Path out = ctx.output("kernel");
        Files.createDirectories(out.resolve("boot"));
        Files.copy(k.vmlinuz(), out.resolve("boot/vmlinuz-" + k.release()));
        copyTree(k.modulesDir(), out.resolve("lib/modules/" + k.release()));
        ctx.value("package", pkg);
        ctx.value("release", k.release());
        ctx.log("kernel " + k.release() + " from " + pkg);
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
