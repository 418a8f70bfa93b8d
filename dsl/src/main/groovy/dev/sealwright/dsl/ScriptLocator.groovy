package dev.sealwright.dsl

import dev.sealwright.base.SourceLocation
import groovy.transform.CompileStatic

import java.nio.file.Path

/** Maps the current call stack (or an exception's) to the recipe line being evaluated. */
@CompileStatic
class ScriptLocator {
    final Path file
    final SourceIndex index

    ScriptLocator(Path file, SourceIndex index) {
        this.file = file
        this.index = index
    }

    /** Location of the innermost recipe frame of the current thread, pointing at {@code name} when given. */
    SourceLocation here(String name = null) {
        locate(new Throwable().stackTrace, name)
    }

    SourceLocation locate(StackTraceElement[] trace, String name = null) {
        String fileName = file.fileName.toString()
        for (StackTraceElement e : trace) {
            if (e.fileName == fileName && e.lineNumber > 0)
                return new SourceLocation(file, e.lineNumber, index.column(e.lineNumber, name))
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
