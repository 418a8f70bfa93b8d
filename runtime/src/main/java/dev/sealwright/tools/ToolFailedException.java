package dev.sealwright.tools;

import dev.sealwright.base.RecipeException;

/** An external program exited non-zero or timed out; the message carries the tail of its stderr. */
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
