package dev.sealwright.base;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Where in a recipe something was declared: file, 1-based line and column. The column may be
 * computed on first use ({@link #lazy}): finding it means parsing the recipe text, which only an
 * error message needs, while every step records its location.
 */
public final class SourceLocation {
    public static final SourceLocation UNKNOWN = new SourceLocation(null, 0, 0);

    private final Path file;
    private final int line;
    private IntSupplier columnSource;
    private int column;

    public SourceLocation(Path file, int line, int column) {
        this.file = file;
        this.line = line;
        this.column = column;
    }

    private SourceLocation(Path file, int line, IntSupplier column) {
        this.file = file;
        this.line = line;
        this.columnSource = column;
    }

    /** A location whose column is computed by {@code column} when first asked for. */
    public static SourceLocation lazy(Path file, int line, IntSupplier column) {
        return new SourceLocation(file, line, column);
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public synchronized int column() {
        if (columnSource != null) {
            column = columnSource.getAsInt();
            columnSource = null;
        }
        return column;
    }

    public boolean known() {
        return file != null && line > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceLocation l && Objects.equals(file, l.file) && line == l.line && column() == l.column();
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, line);
    }

    @Override
    public String toString() {
        if (!known()) return "<unknown>";
        return file.getFileName() + ":" + line + ":" + Math.max(column(), 1);
    }
}
