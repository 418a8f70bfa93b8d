package dev.sealwright.tools;

import dev.sealwright.base.RecipeException;

/**
 * An external program exited non-zero or timed out. The message carries the last lines of its stderr
 * folded into one line (" | " between them, see {@code Tools}); like every {@link RecipeException}
 * message it is escaped, so a tool printing escape sequences or carriage returns cannot break it.
 */
public class ToolFailedException extends RecipeException {
    private final int exitCode;

    public ToolFailedException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
