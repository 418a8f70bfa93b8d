package dev.sealwright.cli

import dev.sealwright.base.Json
import dev.sealwright.base.Progress
import groovy.transform.CompileStatic

/** Prints bytes, percent, rate and ETA of one operation (see ProgressOption); thread-safe. */
@CompileStatic
class ProgressPrinter implements Progress {
    private static final long SECOND = 1_000_000_000L
    private final String label
    private final String mode
    private final PrintStream out
    private final long start = System.nanoTime()
    private long last = Long.MIN_VALUE
    private boolean finished

    ProgressPrinter(String label, String mode, PrintStream out) {
        this.label = label
        this.mode = mode
        this.out = out
    }

    @Override
    synchronized void update(long done, long total) {
        long now = System.nanoTime()
        boolean end = done >= total
        if (finished || (!end && last != Long.MIN_VALUE && now - last < (mode == 'live' ? SECOND.intdiv(5) as long : SECOND))) return
        last = now
        finished = end
        double seconds = Math.max(1e-9d, (now - start) / 1e9d)
        long rate = (long) (done / seconds)
        Long eta = rate > 0 ? (long) Math.ceil((total - done) / (double) rate) : null
        int percent = total == 0 ? 100 : (int) (done * 100 / total)
        if (mode == 'json') {
            out.println(Json.canonical([operation: label, bytes: done, total: total, percent: percent, rate_bytes_per_s: rate,
                                        eta_s: eta, elapsed_ms: (long) ((now - start) / 1_000_000L), done: end]))
        } else {
            String line = "${label}: ${percent}% (${mib(done)} of ${mib(total)} MiB), ${mib(rate)} MiB/s, ETA ${eta == null ? '?' : clock(eta)}"
            if (mode == 'live') out.print("\r${line}\u001b[K${end ? '\n' : ''}")
            else out.println(line)
        }
        out.flush()
    }

    static String mib(long bytes) { String.format(Locale.ROOT, '%.1f', bytes / 1048576d) }

    static String clock(long s) { String.format(Locale.ROOT, '%d:%02d', s.intdiv(60), s % 60) }
}
