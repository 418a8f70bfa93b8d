package dev.sealwright.engine.observe;

import dev.sealwright.base.DaemonThreads;
import dev.sealwright.engine.Pipeline;
import dev.sealwright.engine.RunListener;
import dev.sealwright.engine.RunResult;
import dev.sealwright.engine.Step;
import dev.sealwright.engine.StepRecord;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Terminal display: finished steps scroll as permanent lines; below them one status line per
 * running step (elapsed time, bytes or percent when the step reports progress), redrawn in place.
 */
public final class LiveConsole implements RunListener {
    private static final String CLEAR_LINE = "\r\033[2K";
    private final PrintStream out;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private int drawn;
    private ScheduledExecutorService ticker;

    private static final class Running {
        final long started = System.currentTimeMillis();
        final String type;
        long done, total;
        String unit;

        Running(String type) {
            this.type = type;
        }
    }

    public LiveConsole(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void runStarted(Pipeline p, int jobs) {
        out.println("pipeline " + p.name() + ": " + p.steps().size() + " steps, up to " + jobs + " at a time");
        ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("sealwright-console"));
        ticker.scheduleAtFixedRate(this::redraw, 200, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stepStarted(Step s) {
        running.put(s.name(), new Running(s.type().name()));
        redraw();
    }

    @Override
    public synchronized void stepProgress(Step s, long done, long total, String unit) {
        Running r = running.get(s.name());
        if (r == null) return;
        r.done = done;
        r.total = total;
        r.unit = unit;
    }

    @Override
    public synchronized void stepLog(Step s, String line) {
        above("[" + (s == null ? "engine" : s.name()) + "] " + line);
    }

    @Override
    public synchronized void stepFinished(StepRecord r) {
        running.remove(r.name());
        above(PlainConsole.finishedLine(r));
    }

    @Override
    public synchronized void runFinished(RunResult r) {
        if (ticker != null) ticker.shutdownNow();
        running.clear();
        above(PlainConsole.summary(r));
        out.flush();
    }

    /** Prints a permanent line above the status block. */
    private void above(String line) {
        erase();
        out.println(line);
        draw();
    }

    private synchronized void redraw() {
        erase();
        draw();
    }

    private void erase() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < drawn; i++) sb.append("\033[1A").append(CLEAR_LINE);
        out.print(sb);
        drawn = 0;
    }

    private void draw() {
        long now = System.currentTimeMillis();
        for (var e : running.entrySet()) {
            Running r = e.getValue();
            StringBuilder sb = new StringBuilder(CLEAR_LINE).append("  ~ ").append(e.getKey()).append(" (").append(r.type).append(") ")
                    .append(PlainConsole.seconds(now - r.started));
            if (r.done > 0) {
                sb.append("  ").append(human(r.done, r.unit));
                if (r.total > 0) sb.append(" / ").append(human(r.total, r.unit)).append(String.format(" (%d%%)", r.done * 100 / r.total));
            }
            out.println(sb);
            drawn++;
        }
        out.flush();
    }

    private static String human(long n, String unit) {
        if (!"bytes".equals(unit)) return n + (unit == null ? "" : " " + unit);
        if (n < 1024) return n + " B";
        if (n < 1 << 20) return String.format("%.1f KiB", n / 1024.0);
        if (n < 1 << 30) return String.format("%.1f MiB", n / 1048576.0);
        return String.format("%.2f GiB", n / 1073741824.0);
    }
}
