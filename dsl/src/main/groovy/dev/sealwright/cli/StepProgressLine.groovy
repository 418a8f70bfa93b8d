package dev.sealwright.cli

import dev.sealwright.engine.observe.PlainConsole
import groovy.transform.CompileStatic

/**
 * One running step on the live display: {@code ~ NAME (TYPE) 3.2s  12.0 of 48.0 MiB (25%), 5.1 MiB/s, ETA 0:07}.
 * Rate and ETA are measured from the step's start; units other than bytes are shown as counts.
 */
@CompileStatic
final class StepProgressLine {
    private final String name
    private final String type
    private final long started
    private long done, total
    private String unit

    StepProgressLine(String name, String type, long startedNanos) {
        this.name = name
        this.type = type
        this.started = startedNanos
    }

    void update(long done, long total, String unit, long nowNanos) {
        this.done = done
        this.total = total
        this.unit = unit
    }

    String render(long nowNanos) {
        long ms = (long) ((nowNanos - started).intdiv(1_000_000L))
        StringBuilder sb = new StringBuilder("  ~ ${name} (${type}) ${PlainConsole.seconds(ms)}")
        if (done <= 0) return sb.toString()
        boolean bytes = unit == 'bytes'
        sb.append('  ').append(bytes ? ProgressPrinter.mib(done) + (total > 0 ? '' : ' MiB') : "${done}${unit ? ' ' + unit : ''}")
        if (total > 0) {
            sb.append(' of ').append(bytes ? ProgressPrinter.mib(total) + ' MiB' : "${total}")
            sb.append(" (${(int) (done * 100 / total)}%)")
        }
        if (bytes && ms > 0) {
            long rate = (long) (done * 1000d / ms)
            sb.append(', ').append(ProgressPrinter.mib(rate)).append(' MiB/s')
            if (total > 0 && rate > 0) sb.append(', ETA ').append(ProgressPrinter.clock((long) Math.ceil((total - done) / (double) rate)))
        }
        sb.toString()
    }
}
