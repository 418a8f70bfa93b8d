package dev.sealwright.cli

import dev.sealwright.base.DaemonThreads
import dev.sealwright.engine.Pipeline
import dev.sealwright.engine.RunListener
import dev.sealwright.engine.RunResult
import dev.sealwright.engine.Step
import dev.sealwright.engine.StepRecord
import dev.sealwright.engine.observe.PlainConsole
import groovy.transform.CompileStatic
import org.jline.terminal.Terminal
import org.jline.terminal.TerminalBuilder
import org.jline.utils.AttributedString
import org.jline.utils.AttributedStyle
import org.jline.utils.InfoCmp

import java.util.concurrent.Executors
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit

/**
 * The pipeline's live display on a terminal: finished steps and step logs scroll as permanent lines
 * on stdout; below them, on stderr, one status line per running step with its elapsed time and, when
 * the step reports it, bytes, percent, rate and ETA, redrawn in place through the terminal's own
 * capabilities (JLine's terminfo: cursor_up, clr_eol). Status lines are cut to the terminal's width,
 * read at every redraw (so a resize is followed), and never wrap; colour only when NO_COLOR is
 * unset. {@link #open} returns null where nothing can be redrawn (no terminal, TERM=dumb, CI, a
 * terminal without cursor movement); the caller prints plain lines instead.
 */
@CompileStatic
final class StatusLineConsole implements RunListener {
    private final Terminal terminal
    private final boolean colour
    private final Map<String, StepProgressLine> running = new LinkedHashMap<>()
    private int drawn
    private ScheduledExecutorService ticker

    private StatusLineConsole(Terminal terminal, boolean colour) {
        this.terminal = terminal
        this.colour = colour
    }

    /** A live display on the process's terminal, or null when there is none to draw on. */
    static StatusLineConsole open(Map<String, String> env = System.getenv()) {
        if (System.console() == null || env.get('TERM') in [null, '', 'dumb'] || env.get('CI') == 'true') return null
        Terminal t = TerminalBuilder.builder().system(true).systemOutput(TerminalBuilder.SystemOutput.SysErr)
                .dumb(true).nativeSignals(true).signalHandler(Terminal.SignalHandler.SIG_DFL).build()
        boolean usable = !t.type.startsWith('dumb') && t.width > 0 && t.getStringCapability(InfoCmp.Capability.cursor_up) != null
                && t.getStringCapability(InfoCmp.Capability.clr_eol) != null
        if (!usable) {
            t.close()
            return null
        }
        new StatusLineConsole(t, !env.containsKey('NO_COLOR'))
    }

    @Override
    synchronized void runStarted(Pipeline p, int jobs) {
        above("pipeline ${p.name()}: ${p.steps().size()} steps, up to ${jobs} at a time")
        ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named('sealwright-status'))
        ticker.scheduleAtFixedRate({ redraw() } as Runnable, 200, 200, TimeUnit.MILLISECONDS)
    }

    @Override
    synchronized void stepStarted(Step s) {
        running.put(s.name(), new StepProgressLine(s.name(), s.type().name(), System.nanoTime()))
        redraw()
    }

    @Override
    synchronized void stepProgress(Step s, long done, long total, String unit) {
        running.get(s.name())?.update(done, total, unit, System.nanoTime())
    }

    @Override
    synchronized void stepLog(Step s, String line) {
        above("[${s == null ? 'engine' : s.name()}] ${line}")
    }

    @Override
    synchronized void stepFinished(StepRecord r) {
        running.remove(r.name())
        above(PlainConsole.finishedLine(r))
    }

    @Override
    synchronized void runFinished(RunResult r) {
        ticker?.shutdownNow()
        running.clear()
        above(PlainConsole.summary(r))
        terminal.close()
    }

    /** A permanent line on stdout, printed where the status lines were; they are drawn again below it. */
    private void above(String line) {
        erase()
        System.out.println(line)
        System.out.flush()
        draw()
    }

    private synchronized void redraw() {
        erase()
        draw()
    }

    private void erase() {
        for (int i = 0; i < drawn; i++) {
            terminal.puts(InfoCmp.Capability.cursor_up)
            terminal.puts(InfoCmp.Capability.carriage_return)
            terminal.puts(InfoCmp.Capability.clr_eol)
        }
        drawn = 0
        terminal.flush()
    }

    private void draw() {
        long now = System.nanoTime()
        int width = terminal.width
        AttributedStyle style = colour ? AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN) : AttributedStyle.DEFAULT
        running.values().each { StepProgressLine p ->
            // one column short of the width: a line that fills it would wrap on some terminals and break the count
            AttributedString line = new AttributedString(p.render(now), style)
            if (line.columnLength() > width - 1) line = AttributedString.join(AttributedString.EMPTY,
                    line.columnSubSequence(0, Math.max(1, width - 2)), new AttributedString('…', style))
            terminal.writer().print(line.toAnsi(terminal))
            terminal.writer().print('\n')
            drawn++
        }
        terminal.flush()
    }
}
