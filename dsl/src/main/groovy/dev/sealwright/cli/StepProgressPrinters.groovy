package dev.sealwright.cli

import dev.sealwright.engine.RunListener
import dev.sealwright.engine.Step
import dev.sealwright.engine.StepRecord
import groovy.transform.CompileStatic

/**
 * {@code run --progress=plain|json}: the progress steps report (bytes of extract, verity, pack, the kernel
 * download; seconds of a launch's wait) printed per step on stderr by a {@link ProgressPrinter} labelled
 * {@code NAME (TYPE)}, as the verbs print theirs. Counts in other units, and totals not known, are left
 * to the live display.
 */
@CompileStatic
final class StepProgressPrinters implements RunListener {
    private final String mode
    private final PrintStream out
    private final Map<String, ProgressPrinter> printers = [:]
    private final Map<String, Long> totals = [:]

    StepProgressPrinters(String mode, PrintStream out) {
        this.mode = mode
        this.out = out
    }

    @Override
    synchronized void stepProgress(Step s, long done, long total, String unit) {
        if (total <= 0 || !(unit in ['bytes', 's'])) return
        if (totals.put(s.name(), total) != total) {        // a new phase (pack: layers read, then files archived) is counted anew
            printers.remove(s.name())?.finish()
            printers[s.name()] = new ProgressPrinter("${s.name()} (${s.type().name()})".toString(), mode, out, unit)
        }
        printers[s.name()].update(done, total)
    }

    @Override
    synchronized void stepFinished(StepRecord record) {
        totals.remove(record.name())
        printers.remove(record.name())?.finish()
    }
}
