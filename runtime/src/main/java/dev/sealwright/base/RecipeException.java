package dev.sealwright.base;


/**
 * A problem the user can fix: bad recipe, bad input file, missing tool. Rendered as one line
 * (prefixed with the recipe location when known), never as a stack trace.
 *
 * <p>The message is one line by construction: every constructor passes it through
 * {@link OneLine#of}, so whatever a parser echoes from its input (a newline, a carriage return, an
 * escape sequence, U+2028) appears escaped and cannot add a line. Subclasses have no way around it,
 * and there is no multi-line variant: a tool's stderr tail is folded into the line by
 * {@code Tools} (" | " between its last lines), and the recipe excerpt under a located error is
 * printed by the CLI below the message ({@code RecipeErrors}), not inside it.
 */
public class RecipeException extends RuntimeException {
    private final transient SourceLocation location;

    public RecipeException(String message) {
        this(message, SourceLocation.UNKNOWN, null);
    }

    public RecipeException(String message, Throwable cause) {
        this(message, SourceLocation.UNKNOWN, cause);
    }

    public RecipeException(String message, SourceLocation location) {
        this(message, location, null);
    }

    public RecipeException(String message, SourceLocation location, Throwable cause) {
        super(message == null ? null : OneLine.of(message), cause);
        this.location = location == null ? SourceLocation.UNKNOWN : location;
    }

    public SourceLocation location() {
        return location;
    }
}
