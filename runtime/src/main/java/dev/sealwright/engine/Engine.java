package dev.sealwright.engine;

import dev.sealwright.base.OneLine;
import dev.sealwright.Sealwright;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.DaemonThreads;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link Pipeline}: steps whose dependencies are done run concurrently up to {@code jobs};
 * each cached step goes up-to-date check → execute in a temp dir → store (atomic rename) → publish.
 * Live and service steps always run; services are closed once their last dependant finishes, when
 * the run fails, or on {@link #cancel()}. The first failure stops scheduling; running steps finish.
 */
public final class Engine {
    private final Workspace ws;
    private final EngineOptions opts;
    private final Tools tools;
    private final ContentDigests digests;
    private final Cache cache;
    private final SecretMasker masker = new SecretMasker();
    private volatile boolean cancelled;
    private final Map<String, Future<StepRecord>> running = new ConcurrentHashMap<>();
    private final Map<String, List<AutoCloseable>> services = new ConcurrentHashMap<>();

    public Engine(Workspace ws, EngineOptions opts) {
        this.ws = ws;
        this.opts = opts;
        this.tools = opts.tools;
        this.digests = new ContentDigests(ws.statCache());
        this.cache = new Cache(ws);
    }

    public SecretMasker masker() {
        return masker;
    }

    private Path outputDir() {
        return opts.outputDir != null ? opts.outputDir.toAbsolutePath() : ws.root().resolve("out");
    }

    /** What a run would do now, without running anything. */
    public Plan plan(Pipeline p) {
        StepKeys keys = new StepKeys(digests, tools, ws.secretSalt());
        StepState state = new StepState(ws, p.name());
        Map<String, Optional<Cache.Entry>> cachedEntries = new HashMap<>();
        List<Plan.Entry> entries = new ArrayList<>();
        for (Step s : p.steps()) {
            if (s.type().kind() != StepKind.CACHED) {
                entries.add(new Plan.Entry(s, Plan.Action.RUN, null, List.of(s.type().kind().name().toLowerCase() + " step: always runs")));
                cachedEntries.put(s.name(), Optional.empty());
                continue;
            }
            List<String> waiting = new ArrayList<>();
            StepKey key = keys.compute(s, ref -> {
                Optional<Cache.Entry> e = cachedEntries.get(ref.step());
                if (e == null || e.isEmpty()) {
                    if (!waiting.contains(ref.step())) waiting.add(ref.step());
                    return null;
                }
                Cache.Entry entry = e.get();
                return entry.outputs().containsKey(ref.output()) ? entry.digest(ref.output())
                        : "value:" + Json.canonical(entry.values().get(ref.output()));
            });
            if (key == null) {
                entries.add(new Plan.Entry(s, Plan.Action.RUN, null, List.of("runs after " + String.join(", ", waiting) + " (its inputs are not known until then)")));
                cachedEntries.put(s.name(), Optional.empty());
                continue;
            }
            Optional<Cache.Entry> hit = opts.fresh ? Optional.empty() : cache.lookup(key.hash(), s.type());
            cachedEntries.put(s.name(), hit);
            if (hit.isPresent()) {
                entries.add(new Plan.Entry(s, Plan.Action.CACHED, key.hash(), List.of()));
            } else {
                entries.add(new Plan.Entry(s, Plan.Action.RUN, key.hash(), reasons(s, key, state)));
            }
        }
        digests.save();
        return new Plan(p, entries);
    }

    private List<String> reasons(Step s, StepKey key, StepState state) {
        if (opts.fresh) return List.of("--fresh: cache ignored");
        Optional<StepState.Previous> prev = state.previous(s.name());
        if (prev.isEmpty()) return List.of("no previous run");
        if (prev.get().hash().equals(key.hash())) return List.of("same inputs as last run, but its cache entry is gone");
        List<String> why = StepKeys.explain(prev.get(), key);
        return why.isEmpty() ? List.of("key changed") : why;
    }

    /** Stops the run: running steps are interrupted, services closed. Safe to call from a signal handler thread. */
    public void cancel() {
        cancelled = true;
        running.values().forEach(f -> f.cancel(true));
        closeAllServices();
    }

    public RunResult run(Pipeline p) {
        long started = System.currentTimeMillis();
        for (Step s : p.steps()) registerSecrets(s.options().values());
        StepKeys keys = new StepKeys(digests, tools, ws.secretSalt());
        StepState state = new StepState(ws, p.name());
        Map<String, StepRecord> records = new ConcurrentHashMap<>();
        Map<String, Outputs> outputs = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> serviceUsers = new HashMap<>();
        for (Step s : p.steps())
            if (s.type().kind() == StepKind.SERVICE) serviceUsers.put(s.name(), new AtomicInteger(p.dependants(s.name()).size()));

        opts.listeners.forEach(l -> l.runStarted(p, opts.jobs));
        ExecutorService pool = Executors.newFixedThreadPool(opts.jobs, DaemonThreads.named("sealwright-step"));
        CompletionService<StepRecord> done = new ExecutorCompletionService<>(pool);
        List<Step> pending = new ArrayList<>(p.steps());
        boolean stop = false;
        try {
            while (true) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    Step s = it.next();
                    boolean blocked = false, ready = true;
                    for (String d : s.dependencies()) {
                        StepRecord r = records.get(d);
                        if (r == null) ready = false;
                        else if (!r.status().succeeded()) blocked = true;
                    }
                    if (blocked) {
                        it.remove();
                        finish(p, notRun(s, StepStatus.SKIPPED, "a step it depends on did not succeed"), records, serviceUsers);
                    } else if (ready && !stop && !cancelled && running.size() < opts.jobs) {
                        it.remove();
                        running.put(s.name(), done.submit(() -> execute(s, keys, state, outputs)));
                    }
                }
                if (running.isEmpty()) break;
                Future<StepRecord> f;
                try {
                    f = done.take();
                } catch (InterruptedException e) {
                    cancel();
                    Thread.currentThread().interrupt();
                    break;
                }
                if (f.isCancelled()) { // cancel() interrupted it: recorded below as "run cancelled"
                    running.values().remove(f);
                    stop = true;
                    continue;
                }
                StepRecord r = result(f);
                running.remove(r.name());
                finish(p, r, records, serviceUsers);
                if (r.status() == StepStatus.FAILED || cancelled) stop = true;
            }
        } finally {
            pool.shutdownNow();
            closeAllServices();
            digests.save();
            state.save();
        }
        for (Step s : pending) records.put(s.name(), notRun(s, StepStatus.NOT_RUN, cancelled ? "run cancelled" : "run stopped after a failure"));
        List<StepRecord> ordered = new ArrayList<>();
        for (Step s : p.steps()) {
            StepRecord r = records.get(s.name());
            if (r == null) r = notRun(s, StepStatus.NOT_RUN, "run cancelled");
            ordered.add(r);
        }
        RunResult result = new RunResult(p.name(), cancelled, ordered, started, System.currentTimeMillis() - started);
        opts.listeners.forEach(l -> l.runFinished(result));
        return result;
    }

    private StepRecord result(Future<StepRecord> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("engine bug: step task threw", e.getCause());
        }
    }

    private void finish(Pipeline p, StepRecord r, Map<String, StepRecord> records, Map<String, AtomicInteger> serviceUsers) {
        records.put(r.name(), r);
        opts.listeners.forEach(l -> l.stepFinished(r));
        for (String dep : p.step(r.name()).dependencies()) {
            AtomicInteger users = serviceUsers.get(dep);
            if (users != null && users.decrementAndGet() == 0) closeService(dep);
        }
    }

    private void registerSecrets(Iterable<?> values) {
        for (Object v : values) {
            if (v instanceof Secret s) masker.register(s);
            else if (v instanceof List<?> l) registerSecrets(l);
        }
    }

    private StepRecord notRun(Step s, StepStatus status, String why) {
        return new StepRecord(s.name(), s.type().name(), s.type().kind(), status, null, 0, 0, inputsOf(s, null), Map.of(), Map.of(), Map.of(), why, null);
    }

    private StepRecord execute(Step s, StepKeys keys, StepState state, Map<String, Outputs> outputs) {
        long t0 = System.currentTimeMillis();
        Tools stepTools = tools.recording();
        StepKey key = null;
        try {
            if (s.type().kind() == StepKind.CACHED) {
                key = keys.compute(s, ref -> outputs.get(ref.step()).digest(ref.output()));
                if (!opts.fresh) {
                    Optional<Cache.Entry> hit = cache.lookup(key.hash(), s.type());
                    if (hit.isPresent()) {
                        Outputs o = fromEntry(s, hit.get());
                        outputs.put(s.name(), o);
                        state.remember(s.name(), key);
                        return record(s, StepStatus.CACHED, key, t0, outputs, o, Map.of(), null, null);
                    }
                }
            }
            opts.listeners.forEach(l -> l.stepStarted(s));
            Path tmp = ws.newTempDir(s.name());
            DefaultStepContext ctx = new DefaultStepContext(s, tmp.resolve("outputs"), tmp.resolve("work"), ws.dir().resolve("keep").resolve(s.name()),
                    outputs::get, stepTools, masker, opts.listeners, () -> cancelled);
            try {
                s.type().execute(ctx);
            } finally {
                if (!ctx.keepAlive.isEmpty()) services.put(s.name(), ctx.keepAlive);
                if (cancelled) closeService(s.name());
            }
            if (cancelled) throw new RecipeException("cancelled");
            Map<String, Map<String, Object>> described = describeOutputs(s, ctx);
            AtomicFiles.deleteTree(tmp.resolve("work"));
            Outputs o;
            if (key != null) {
                Map<String, Object> about = new LinkedHashMap<>();
                about.put("step", s.name());
                about.put("type", s.type().name() + "@" + s.type().version());
                about.put("sealwright", Sealwright.version());
                about.put("tools", stepTools.used());
                o = fromEntry(s, cache.store(key.hash(), tmp, described, ctx.values, about));
                state.remember(s.name(), key);
            } else {
                o = fromLive(s, tmp, described, ctx.values);
            }
            outputs.put(s.name(), o);
            return record(s, StepStatus.EXECUTED, key, t0, outputs, o, stepTools.used(), null, null);
        } catch (Exception | LinkageError | AssertionError e) {
            String msg = cancelled ? "cancelled" : masker.mask(message(e));
            return record(s, StepStatus.FAILED, key, t0, outputs, null, stepTools.used(), msg, e);
        }
    }

    static String message(Throwable e) {
        if (e instanceof RecipeException) return e.getMessage();
        if (e instanceof java.io.UncheckedIOException u) e = u.getCause();
        if (e instanceof java.nio.file.NoSuchFileException n) return "no such file: " + OneLine.of(n.getFile());
        if (e instanceof java.nio.file.AccessDeniedException a) return "permission denied: " + OneLine.of(a.getFile());
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + OneLine.of(m));
    }

    private Map<String, Map<String, Object>> describeOutputs(Step s, DefaultStepContext ctx) throws IOException {
        ContentDigests fresh = new ContentDigests(null);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (OutputSpec o : s.type().outputs()) {
            if (!o.isPath()) {
                if (!ctx.values.containsKey(o.name()))
                    throw new RecipeException("step " + s.name() + " (" + s.type().name() + ") did not produce its value output '" + o.name() + "'");
                continue;
            }
            Path p = ctx.output(o.name());
            if (!java.nio.file.Files.exists(p))
                throw new RecipeException("step " + s.name() + " (" + s.type().name() + ") did not produce its output '" + o.name() + "' (" + o.fileName() + ")");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("path", o.fileName());
            d.put("digest", fresh.of(p));
            d.put("size", Outputs.sizeOf(p));
            out.put(o.name(), d);
        }
        return out;
    }

    private Outputs fromEntry(Step s, Cache.Entry e) throws IOException {
        return publish(s, name -> e.outputPath(name), e.outputs(), e.values());
    }

    private Outputs fromLive(Step s, Path tmp, Map<String, Map<String, Object>> described, Map<String, Object> values) throws IOException {
        return publish(s, name -> tmp.resolve("outputs").resolve(String.valueOf(described.get(name).get("path"))), described, values);
    }

    private Outputs publish(Step s, java.util.function.Function<String, Path> source, Map<String, Map<String, Object>> described,
                            Map<String, Object> values) throws IOException {
        Map<String, Path> paths = new LinkedHashMap<>();
        Map<String, String> dig = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (var e : described.entrySet()) {
            Path src = source.apply(e.getKey());
            Path target = outputDir().resolve(s.name()).resolve(String.valueOf(e.getValue().get("path")));
            Publisher.publish(src, target);
            paths.put(e.getKey(), src);
            dig.put(e.getKey(), String.valueOf(e.getValue().get("digest")));
            sizes.put(e.getKey(), ((Number) e.getValue().get("size")).longValue());
        }
        return new Outputs(paths, dig, sizes, values == null ? Map.of() : values);
    }

    private StepRecord record(Step s, StepStatus status, StepKey key, long t0, Map<String, Outputs> all, Outputs o,
                              Map<String, String> toolsUsed, String error, Throwable failure) {
        Map<String, StepRecord.OutputFile> files = new LinkedHashMap<>();
        if (o != null) for (var e : o.digests().entrySet()) {
            String file = String.valueOf(s.type().output(e.getKey()).fileName());
            files.put(e.getKey(), new StepRecord.OutputFile(outputDir().resolve(s.name()).resolve(file), e.getValue(), o.sizes().get(e.getKey())));
        }
        return new StepRecord(s.name(), s.type().name(), s.type().kind(), status, key == null ? null : key.hash(), t0,
                System.currentTimeMillis() - t0, inputsOf(s, all), files, o == null ? Map.of() : o.values(), toolsUsed, error, failure);
    }

    private Map<String, Map<String, String>> inputsOf(Step s, Map<String, Outputs> all) {
        Map<String, Map<String, String>> in = new LinkedHashMap<>();
        for (var e : s.inputs()) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("source", e.getValue().describe());
            if (e.getValue() instanceof OutputRef r && all != null && all.containsKey(r.step())) {
                String dg = all.get(r.step()).digest(r.output());
                if (dg != null) d.put("digest", dg);
            } else if (e.getValue() instanceof FileRef f && all != null) {
                d.put("digest", digests.of(f.path()));
            }
            in.put(e.getKey(), d);
        }
        return in;
    }

    private void closeService(String step) {
        List<AutoCloseable> res = services.remove(step);
        if (res == null) return;
        for (int i = res.size() - 1; i >= 0; i--) {
            try {
                res.get(i).close();
            } catch (Exception e) {
                opts.listeners.forEach(l -> l.stepLog(null, "closing " + step + ": " + masker.mask(message(e))));
            }
        }
    }

    private void closeAllServices() {
        for (String s : List.copyOf(services.keySet())) closeService(s);
    }
}
