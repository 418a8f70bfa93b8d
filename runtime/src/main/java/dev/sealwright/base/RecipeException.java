package dev.sealwright.base;


/**
 * A problem the user can fix: bad recipe, bad input file, missing tool. Rendered as one line
 * (prefixed with the recipe location when known), never as a stack trace.
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
        super(message, cause);
        this.location = location == null ? SourceLocation.UNKNOWN : location;
    }

    public SourceLocation location() {
        return location;
    }
}
