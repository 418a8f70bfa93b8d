package dev.sealwright.cli

import groovy.transform.CompileStatic
import org.jline.reader.Highlighter
import org.jline.reader.LineReader
import org.jline.utils.AttributedString

import java.util.function.Consumer
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import java.util.regex.Pattern

/**
 * Keeps a failing part of line editing from ending the REPL or printing a stack trace: each failure
 * is reported once, in one line, and the session goes on. JLine itself catches failures of the
 * completer and of the history file and logs them (with stack traces) through java.util.logging;
 * {@link #reportJlineLog} turns those records into one line each.
 */
@CompileStatic
class ReplGuards {
    /** Held so the logger, and its settings here, outlive garbage collection. */
    private static final Logger JLINE = Logger.getLogger('org.jline')

    /** "Class: first line of the message", for a one-line report. */
    static String oneLine(Throwable e) {
        while (e instanceof java.lang.reflect.InvocationTargetException && e.cause != null) e = e.cause
        String first = e.message?.readLines()?.find { it.trim() }
        first ? "${e.getClass().simpleName}: ${first.trim()}".toString() : e.getClass().simpleName
    }

    /** The highlighter, or the plain line when it fails. */
    static class Highlighting implements Highlighter {
        private final Highlighter delegate
        private final Consumer<String> report
        private boolean failed

        Highlighting(Highlighter delegate, Consumer<String> report) {
            this.delegate = delegate
            this.report = report
        }

        @Override
        AttributedString highlight(LineReader reader, String buffer) {
            if (!failed) {
                try {
                    return delegate.highlight(reader, buffer)
                } catch (Exception e) {
                    failed = true
                    report.accept("error: highlighting failed and is off: ${oneLine(e)} (the session goes on)".toString())
                }
            }
            new AttributedString(buffer)
        }

        @Override
        void refresh(LineReader reader) {
            if (!failed) delegate.refresh(reader)
        }

        @Override
        void setErrorPattern(Pattern errorPattern) { delegate.setErrorPattern(errorPattern) }

        @Override
        void setErrorIndex(int errorIndex) { delegate.setErrorIndex(errorIndex) }
    }

    /** Routes JLine's log records (INFO and up) to {@code report}, one line per distinct message; undo with {@link #stopReporting}. */
    static Handler reportJlineLog(Consumer<String> report) {
        Set<String> seen = Collections.synchronizedSet(new HashSet<String>())
        def handler = new Handler() {
            @Override
            void publish(LogRecord r) {
                if (r.level.intValue() < Level.INFO.intValue()) return
                String line = r.thrown == null ? r.message : "${r.message}: ${oneLine(r.thrown)}".toString()
                if (seen.add(line)) report.accept((r.level.intValue() >= Level.WARNING.intValue() || r.thrown != null ? 'error: ' : 'note: ') + line)
            }

            @Override
            void flush() {}

            @Override
            void close() {}
        }
        JLINE.useParentHandlers = false
        JLINE.addHandler(handler)
        handler
    }

    static void stopReporting(Handler handler) {
        JLINE.removeHandler(handler)
        JLINE.useParentHandlers = true
    }
}
