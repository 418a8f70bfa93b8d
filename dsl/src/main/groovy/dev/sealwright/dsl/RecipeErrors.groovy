package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.base.OneLine
import groovy.transform.CompileStatic

import java.nio.file.Files

/**
 * Renders a {@link RecipeException} as {@code file:line:col: message} plus the offending line and a caret:
 * the only error with lines below its headline. Each line is escaped ({@link OneLine}), so neither a
 * file name nor the recipe text can add more.
 */
@CompileStatic
class RecipeErrors {
    static String render(RecipeException e) {
        def loc = e.location()
        if (!loc.known()) return e.message
        StringBuilder sb = new StringBuilder()
        sb << OneLine.of(String.valueOf(loc.file().fileName)) << ':' << loc.line() << ':' << Math.max(loc.column(), 1) << ': ' << e.message
        String line = sourceLine(loc.file(), loc.line())
        if (line != null) {
            String no = String.valueOf(loc.line())
            sb << '\n' << ' ' << no << ' | ' << OneLine.of(line.replace('\t', ' '))
            sb << '\n' << ' ' * (no.length() + 1) << ' | ' << ' ' * (Math.max(loc.column(), 1) - 1) << '^'
        }
        return sb.toString()
    }

    private static String sourceLine(java.nio.file.Path file, int n) {
        try {
            def lines = Files.readAllLines(file)
            return n >= 1 && n <= lines.size() ? lines[n - 1] : null
        } catch (IOException ignored) {
            return null
        }
    }
}
