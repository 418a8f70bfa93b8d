package dev.sealwright.cli

import dev.sealwright.base.Json
import dev.sealwright.base.Progress
import groovy.transform.CompileStatic

/**
 * Prints the progress of one operation (see ProgressOption); thread-safe. Unit {@code bytes}: bytes, percent,
 * rate and ETA, ending when done reaches total. Unit {@code s}: seconds waited of a timeout (boot waits), ending
 * at {@link #finish} when what was waited for came.
 */
@CompileStatic
class ProgressPrinter implements Progress {
    private static final long SECOND = 1_000_000_000L
    private final String label
    private final String mode
    private final PrintStream out
    private final boolean seconds
    private final long start = System.nanoTime()
    private long last = Long.MIN_VALUE
    private long lastTotal
    private boolean finished

    ProgressPrinter(String label, String mode, PrintStream out, String unit = 'bytes') {
        if (!(unit in ['bytes', 's'])) throw new IllegalArgumentException(unit)
        this.label = label
        this.mode = mode
        this.out = out
        this.seconds = unit == 's'
    }

    @Override
    synchronized void update(long done, long total) {
        long now = System.nanoTime()
        boolean end = done >= total
        if (finished || (!end && last != Long.MIN_VALUE && now - last < (mode == 'live' ? SECOND.intdiv(5) as long : SECOND))) return
        print(done, total, end, now)
    }

    /**
     * A wait ended before its timeout (the line came): one last line, done. Bytes end by themselves when done
     * reaches total; work that stops short of it (a failure) gets no 100% line.
     */
    synchronized void finish() {
        if (!finished && seconds) print((long) ((System.nanoTime() - start).intdiv(SECOND)), lastTotal, true, System.nanoTime())
    }

    private void print(long done, long total, boolean end, long now) {
        last = now
        lastTotal = total
        finished = end
        long elapsedMs = (long) ((now - start).intdiv(1_000_000L))
        String line
        if (seconds) {
            if (mode == 'json') line = Json.canonical([operation: label, waited_s: done, timeout_s: total, elapsed_ms: elapsedMs, done: end])
            else line = end ? "${label}: done after ${done} s" : "${label}: ${done} s of ${total} s"
        } else {
            double secs = Math.max(1e-9d, (now - start) / 1e9d)
            long rate = (long) (done / secs)
            Long eta = end ? 0L : rate > 0 ? (long) Math.ceil((total - done) / (double) rate) : null
            int percent = total == 0 || end ? 100 : (int) (done * 100 / total)
            if (mode == 'json') line = Json.canonical([operation: label, bytes: done, total: total, percent: percent, rate_bytes_per_s: rate,
                                                       eta_s: eta, elapsed_ms: elapsedMs, done: end])
            else line = "${label}: ${percent}% (${mib(done)} of ${mib(total)} MiB), ${mib(rate)} MiB/s, ETA ${eta == null ? '?' : clock(eta)}"
        }
        if (mode == 'live') out.print("\r${line}\u001b[K${end ? '\n' : ''}")
        else out.println(line)
        out.flush()
    }

    static String mib(long bytes) { String.format(Locale.ROOT, '%.1f', bytes / 1048576d) }

    static String clock(long s) { String.format(Locale.ROOT, '%d:%02d', s.intdiv(60), s % 60) }
}
