package dev.sealwright.base;

import java.nio.file.Path;

/** Where in a recipe something was declared: file, 1-based line and column. */
public record SourceLocation(Path file, int line, int column) {
    public static final SourceLocation UNKNOWN = new SourceLocation(null, 0, 0);

    public boolean known() {
        return file != null && line > 0;
    }

    @Override
    public String toString() {
        if (!known()) return "<unknown>";
        return file.getFileName() + ":" + line + ":" + Math.max(column, 1);
    }
}
