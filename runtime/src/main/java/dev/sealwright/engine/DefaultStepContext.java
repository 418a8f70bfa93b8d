package dev.sealwright.engine;

import dev.sealwright.base.Secret;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** The engine's {@link StepContext}: options with defaults, inputs resolved through upstream outputs. */
final class DefaultStepContext implements StepContext {
    private final Step step;
    private final Path outputDir;
    private final Path workDir;
    private final Path keepDir;
    private final Function<String, Outputs> upstream;
    private final Tools tools;
    private final SecretMasker masker;
    private final List<RunListener> listeners;
    private final BooleanSupplier cancelled;
    final Map<String, Object> values = new LinkedHashMap<>();
    final List<AutoCloseable> keepAlive = new ArrayList<>();

    DefaultStepContext(Step step, Path outputDir, Path workDir, Path keepDir, Function<String, Outputs> upstream, Tools tools,
                       SecretMasker masker, List<RunListener> listeners, BooleanSupplier cancelled) {
        this.step = step;
        this.outputDir = outputDir;
        this.workDir = workDir;
        this.keepDir = keepDir;
        this.upstream = upstream;
        this.tools = tools;
        this.masker = masker;
        this.listeners = listeners;
        this.cancelled = cancelled;
        try {
            Files.createDirectories(outputDir);
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public Step step() { return step; }
    @Override public Path outputDir() { return outputDir; }
    @Override public Path workDir() { return workDir; }

    @Override
    public Path keepDir() {
        try {
            Files.createDirectories(keepDir);
            Files.setPosixFilePermissions(keepDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            return keepDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
    @Override public Tools tools() { return tools; }
    @Override public boolean cancelled() { return cancelled.getAsBoolean() || Thread.currentThread().isInterrupted(); }

    @Override
    public Path output(String name) {
        OutputSpec o = step.type().output(name);
        if (o == null || !o.isPath()) throw new IllegalArgumentException(step.type().name() + " declares no file output '" + name + "'");
        return outputDir.resolve(o.fileName());
    }

    @Override
    public void value(String output, Object value) {
        OutputSpec o = step.type().output(output);
        if (o == null || o.isPath()) throw new IllegalArgumentException(step.type().name() + " declares no value output '" + output + "'");
        values.put(output, value);
    }

    @Override
    public Object option(String name) {
        OptionSpec spec = step.type().option(name);
        if (spec == null) throw new IllegalArgumentException(step.type().name() + " has no option '" + name + "'");
        return step.options().containsKey(name) ? step.options().get(name) : spec.defaultValue();
    }

    @Override
    public String string(String name) {
        Object v = option(name);
        return v == null ? null : v.toString();
    }

    @Override
    public long number(String name) {
        return ((Number) option(name)).longValue();
    }

    @Override
    public boolean flag(String name) {
        return Boolean.TRUE.equals(option(name));
    }

    @Override
    public Path path(String name) {
        Object v = option(name);
        return v == null ? null : resolve((Input) v);
    }

    @Override
    public List<Path> paths(String name) {
        List<Path> out = new ArrayList<>();
        for (Object o : (List<?>) option(name)) out.add(resolve((Input) o));
        return out;
    }

    @Override
    public Path resolve(Input in) {
        if (in instanceof FileRef f) return f.path();
        OutputRef r = (OutputRef) in;
        Path p = upstream.apply(r.step()).paths().get(r.output());
        if (p == null) throw new IllegalStateException("output " + r.describe() + " is a value, not a file");
        return p;
    }

    @Override
    public Secret secret(String name) {
        Object v = option(name);
        if (v instanceof OutputRef r) { // a secret an upstream step wrote (key.decrypt): read from its output file
            Secret s = Secret.ofFile(resolve(r));
            masker.register(s);
            return s;
        }
        return (Secret) v;
    }

    @Override
    public Object upstreamValue(String name) {
        OutputRef r = (OutputRef) option(name);
        return upstream.apply(r.step()).values().get(r.output());
    }

    @Override
    public void log(String line) {
        String masked = masker.mask(line);
        for (RunListener l : listeners) l.stepLog(step, masked);
    }

    @Override
    public void progress(long done, long total, String unit) {
        for (RunListener l : listeners) l.stepProgress(step, done, total, unit);
    }

    @Override
    public void keepAlive(AutoCloseable resource) {
        synchronized (keepAlive) {
            keepAlive.add(resource);
        }
    }
}
