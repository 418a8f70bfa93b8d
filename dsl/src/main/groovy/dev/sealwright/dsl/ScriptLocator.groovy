package dev.sealwright.dsl

import dev.sealwright.base.SourceLocation
import groovy.transform.CompileStatic

import java.nio.file.Path
import java.util.function.IntSupplier

/** Maps the current call stack (or an exception's) to the recipe line being evaluated. */
@CompileStatic
class ScriptLocator {
    final Path file
    final SourceIndex index

    ScriptLocator(Path file, SourceIndex index) {
        this.file = file
        this.index = index
    }

    /**
     * Location of the innermost recipe frame of the current thread, pointing at {@code name} when given.
     * Every step declaration asks, so this walks the stack only to the recipe frame (no stack trace is
     * filled in) and leaves the column, which needs the recipe parsed, to the first error that prints it.
     */
    SourceLocation here(String name = null) {
        String fileName = file.fileName.toString()
        Optional<StackWalker.StackFrame> frame = StackWalker.instance.walk { s ->
            s.filter { StackWalker.StackFrame f -> f.fileName == fileName && f.lineNumber > 0 }.findFirst()
        }
        if (!frame.present) return SourceLocation.UNKNOWN
        int line = frame.get().lineNumber
        SourceLocation.lazy(file, line, { -> index.column(line, name) } as IntSupplier)
    }

    SourceLocation locate(StackTraceElement[] trace, String name = null) {
        String fileName = file.fileName.toString()
        for (StackTraceElement e : trace) {
            if (e.fileName == fileName && e.lineNumber > 0)
                return SourceLocation.lazy(file, e.lineNumber, { -> index.column(e.lineNumber, name) } as IntSupplier)
        }
        return SourceLocation.UNKNOWN
    }

    SourceLocation locate(Throwable t, String name = null) {
        for (Throwable c = t; c != null; c = c.cause) {
            def loc = locate(c.stackTrace, name)
            if (loc.known()) return loc
        }
        return SourceLocation.UNKNOWN
    }
}
