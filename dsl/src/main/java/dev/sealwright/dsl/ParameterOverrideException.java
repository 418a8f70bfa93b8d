package dev.sealwright.dsl;

import dev.sealwright.base.RecipeException;

/** A wrong {@code -p} override (naming no declared parameter, or a value unlike the default): a command-line (usage) error, not a recipe line. */
public class ParameterOverrideException extends RecipeException {
    public ParameterOverrideException(String message) { super(message); }
}
