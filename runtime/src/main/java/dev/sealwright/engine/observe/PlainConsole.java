package dev.sealwright.engine.observe;

import dev.sealwright.engine.Pipeline;
import dev.sealwright.engine.RunListener;
import dev.sealwright.engine.RunResult;
import dev.sealwright.engine.Step;
import dev.sealwright.engine.StepRecord;
import dev.sealwright.engine.StepStatus;

import java.io.PrintStream;

/** One line per event, for logs, CI and pipes. */
public final class PlainConsole implements RunListener {
    private final PrintStream out;

    public PlainConsole(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void runStarted(Pipeline p, int jobs) {
        out.println("pipeline " + p.name() + ": " + p.steps().size() + " steps, up to " + jobs + " at a time");
    }

    @Override
    public synchronized void stepStarted(Step s) {
        out.println("[" + s.name() + "] start " + s.type().name());
    }

    @Override
    public synchronized void stepLog(Step s, String line) {
        out.println("[" + (s == null ? "engine" : s.name()) + "] " + line);
    }

    @Override
    public synchronized void stepFinished(StepRecord r) {
        out.println(finishedLine(r));
    }

    @Override
    public synchronized void runFinished(RunResult r) {
        out.println(summary(r));
    }

    public static String finishedLine(StepRecord r) {
        String what = switch (r.status()) {
            case EXECUTED -> "done in " + seconds(r.durationMs());
            case CACHED -> "cached (" + r.key().substring(0, 12) + ")";
            case FAILED -> "FAILED after " + seconds(r.durationMs()) + ": " + r.error();
            case SKIPPED -> "skipped: " + r.error();
            case NOT_RUN -> "not run: " + r.error();
        };
        return "[" + r.name() + "] " + what;
    }

    public static String summary(RunResult r) {
        return "pipeline " + r.pipeline() + " " + (r.cancelled() ? "cancelled" : r.ok() ? "succeeded" : "failed") + ": "
                + r.count(StepStatus.EXECUTED) + " executed, " + r.count(StepStatus.CACHED) + " cached, "
                + r.count(StepStatus.FAILED) + " failed, " + (r.count(StepStatus.SKIPPED) + r.count(StepStatus.NOT_RUN)) + " not run"
                + " (" + seconds(r.durationMs()) + ")";
    }

    public static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
