package dev.sealwright.dsl;

import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders a {@link RecipeException} as {@code file:line:col: message} plus the offending line and a caret:
 * the only error with lines below its headline. Each line is escaped ({@link OneLine}), so neither a
 * file name nor the recipe text can add more.
 */
public final class RecipeErrors {
    private RecipeErrors() {}

    public static String render(RecipeException e) {
        var loc = e.location();
        if (!loc.known()) return e.getMessage();
        int column = Math.max(loc.column(), 1);
        StringBuilder sb = new StringBuilder();
        sb.append(OneLine.of(String.valueOf(loc.file().getFileName()))).append(':').append(loc.line()).append(':').append(column)
                .append(": ").append(e.getMessage());
        String line = sourceLine(loc.file(), loc.line());
        if (line != null) {
            String no = String.valueOf(loc.line());
            sb.append('\n').append(' ').append(no).append(" | ").append(OneLine.of(line.replace('\t', ' ')));
            sb.append('\n').append(" ".repeat(no.length() + 1)).append(" | ").append(" ".repeat(column - 1)).append('^');
        }
        return sb.toString();
    }

    private static String sourceLine(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file);
            return n >= 1 && n <= lines.size() ? lines.get(n - 1) : null;
        } catch (IOException ignored) {
            return null;
        }
    }
}
