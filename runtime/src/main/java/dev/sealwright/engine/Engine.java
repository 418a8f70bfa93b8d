package dev.sealwright.engine;

import dev.sealwright.base.OneLine;
import dev.sealwright.base.DaemonThreads;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.tools.Tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * each step goes through a chain of small links, after Gradle's: {@link InputResolution} → {@link StepKeys}
 * → {@link CacheLookup} → {@link TempDirExecution} → {@link CacheStore} (atomic rename) → {@link OutputPublication}.
 * Live and service steps always run; services are closed once their last dependant finishes, when
 * the run fails, or on {@link #cancel()}. The first failure stops scheduling; running steps finish.
 */
public final class Engine {
    private final Workspace ws;
    private final EngineOptions opts;
    private final Tools tools;
    private final ContentDigests digests;
    private final SecretMasker masker = new SecretMasker();
    private final InputResolution inputs;
    private final CacheLookup lookup;
    private final TempDirExecution execution;
    private final CacheStore store;
    private final OutputPublication publication;
    private volatile boolean cancelled;
    private final Map<String, Future<StepRecord>> running = new ConcurrentHashMap<>();
    private final Map<String, List<AutoCloseable>> services = new ConcurrentHashMap<>();

    public Engine(Workspace ws, EngineOptions opts) {
        this.ws = ws;
        this.opts = opts;
        this.tools = opts.tools;
        this.digests = new ContentDigests(ws.statCache());
        Cache cache = new Cache(ws);
        this.inputs = new InputResolution(digests);
        this.lookup = new CacheLookup(cache, opts.fresh);
        this.execution = new TempDirExecution(ws, masker, opts.listeners, () -> cancelled);
        this.store = new CacheStore(cache);
        this.publication = new OutputPublication(outputDir(), masker);
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
            Optional<Cache.Entry> hit = lookup.find(key, s.type());
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
        return new StepRecord(s.name(), s.type().name(), s.type().kind(), status, null, 0, 0, inputs.describe(s, null), Map.of(), Map.of(), Map.of(), why, null);
    }

    /** One step through the chain: resolve inputs → key → cache lookup → execute in a temp dir → store → publish. */
    private StepRecord execute(Step s, StepKeys keys, StepState state, Map<String, Outputs> outputs) {
        long t0 = System.currentTimeMillis();
        Tools stepTools = tools.recording();
        StepKey key = null;
        try {
            if (s.type().kind() == StepKind.CACHED) {
                key = keys.compute(s, ref -> inputs.upstream(outputs, ref));
                if (key == null) throw new IllegalStateException("engine bug: " + s.name() + " ran before its inputs were known");
                Optional<Cache.Entry> hit = lookup.find(key, s.type());
                if (hit.isPresent()) {
                    Outputs o = publication.fromEntry(s, hit.get());
                    outputs.put(s.name(), o);
                    state.remember(s.name(), key);
                    return publication.record(s, StepStatus.CACHED, key, t0, inputs.describe(s, outputs), o, Map.of(), null, null);
                }
            }
            opts.listeners.forEach(l -> l.stepStarted(s));
            TempDirExecution.Result done = execution.run(s, outputs::get, stepTools, keep -> {
                if (!keep.isEmpty()) services.put(s.name(), keep);
                if (cancelled) closeService(s.name());
            });
            Outputs o;
            if (key != null) {
                o = publication.fromEntry(s, store.store(s, key, done, stepTools.used()));
                state.remember(s.name(), key);
            } else {
                o = publication.fromTemp(s, done);
            }
            outputs.put(s.name(), o);
            return publication.record(s, StepStatus.EXECUTED, key, t0, inputs.describe(s, outputs), o, stepTools.used(), null, null);
        } catch (Exception | LinkageError | AssertionError e) {
            return publication.failed(s, key, t0, inputs.describe(s, outputs), stepTools.used(), e, cancelled);
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
