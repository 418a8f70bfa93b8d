package dev.sealwright.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Lists every known external tool as found or missing, and installs missing Debian packages. */
public final class Doctor {
    public record Finding(ToolSpec spec, Optional<Path> path, String version) {
        public boolean found() {
            return path.isPresent();
        }
    }

    private final Tools tools;

    public Doctor(Tools tools) {
        this.tools = tools;
    }

    public List<Finding> examine() {
        List<Finding> out = new ArrayList<>();
        for (ToolSpec spec : ToolRegistry.all()) {
            Optional<Path> p = tools.locate(spec.name());
            out.add(new Finding(spec, p, p.isPresent() ? tools.version(spec.name()) : null));
        }
        return out;
    }

    /** Debian packages providing the given missing tools, deduplicated, in registry order. */
    public static Set<String> packagesFor(List<Finding> findings) {
        Set<String> pkgs = new LinkedHashSet<>();
        for (Finding f : findings) if (!f.found() && f.spec().debianPackage() != null) pkgs.add(f.spec().debianPackage());
        return pkgs;
    }

    /** Those of the given Debian packages that dpkg does not report as installed. */
    public Set<String> missingPackages(java.util.Collection<String> packages) {
        Set<String> missing = new LinkedHashSet<>();
        for (String p : packages) {
            ToolResult r = tools.exec("dpkg-query", "-W", "-f=${Status}", p).allowFailure().run();
            if (!r.ok() || !r.stdout().strip().equals("install ok installed")) missing.add(p);
        }
        return missing;
    }

    /**
     * Runs apt-get install for the packages; needs root. Each must have a candidate in the apt lists,
     * which are refreshed first when older than a day or without one (see {@link Apt}).
     */
    public ToolResult install(Set<String> packages) {
        if (packages.isEmpty()) return new ToolResult(0, "", "");
        if (!Apt.isRoot())
            throw new ToolFailedException("installing Debian packages needs root: apt-get install " + String.join(" ", packages), 1);
        Apt apt = new Apt(tools, msg -> System.err.println("sealwright: " + msg));
        for (String p : packages) apt.resolve("Debian package " + p, MAIN_SUITE, () -> apt.candidate(p));
        List<String> args = new ArrayList<>(List.of("-y", "-q", "--no-install-recommends", "install"));
        args.addAll(packages);
        ToolResult r = apt.exec("apt-get", args.toArray()).timeout(Duration.ofMinutes(30)).allowFailure().run();
        if (r.ok()) return r;
        if (apt.refreshed()) throw new ToolFailedException("apt-get install " + String.join(" ", packages) + " failed (exit " + r.exitCode() + "): "
                + r.stderr().strip().lines().reduce((a, b) -> b).orElse(""), 1);
        apt.refresh("apt-get install failed");   // e.g. a version in the lists that the mirror no longer has
        return apt.exec("apt-get", args.toArray()).timeout(Duration.ofMinutes(30)).run();
    }

    /** Where Debian 12's own packages come from. */
    static final String MAIN_SUITE = "bookworm (deb http://deb.debian.org/debian bookworm main)";
}
