package dev.sealwright.cli

import dev.sealwright.base.Progress
import groovy.transform.CompileStatic
import picocli.CommandLine.Option

/**
 * {@code --progress[=live|plain|json]} for verbs that do long work, on stderr. {@code live} rewrites one
 * line on the terminal; {@code plain} prints a line about once a second and at the end; {@code json}
 * prints one JSON object a line (like cryptsetup's --progress-json; schema docs/schemas/progress.schema.json).
 * Without the option, progress is live only when stdin and stdout are a terminal (and TERM is not dumb).
 */
@CompileStatic
class ProgressOption {
    @Option(names = '--progress', arity = '0..1', paramLabel = 'live|plain|json', fallbackValue = 'live',
            parameterConsumer = KnownValueConsumer.Progress, preprocessor = KnownValueConsumer.Progress,
            description = 'show bytes, percent, rate and ETA (boot waits: seconds of the timeout) on stderr: live (one rewritten line; the default on a terminal), plain (a line a second) or json (one object a line)')
    String mode

    /** The mode asked for (live, plain or json), or null. */
    String requested() {
        if (mode != null && !(mode in ['live', 'plain', 'json'])) throw new UsageException("--progress=${mode}: expected live, plain or json")
        mode
    }

    /** The reporter for work named {@code label}; Progress.NONE when progress is off. */
    Progress reporter(String label) {
        printer(label, 'bytes') ?: Progress.NONE
    }

    /** The printer for work named {@code label} counted in {@code unit} (bytes, or s for a wait); null when progress is off. */
    ProgressPrinter printer(String label, String unit) {
        String m = requested()
        boolean terminal = System.console() != null && System.getenv('TERM') != 'dumb'
        if (m == null) m = terminal ? 'live' : null
        if (m == 'live' && !terminal) m = 'plain'      // nothing to rewrite: one line a second instead
        m == null ? null : new ProgressPrinter(label, m, System.err, unit)
    }
}
