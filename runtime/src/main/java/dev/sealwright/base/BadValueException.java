package dev.sealwright.base;

/**
 * A value the user gave is malformed or out of range, named by its {@link #field()} (the recipe option,
 * which is also the CLI option {@code --field}). In a recipe it is an ordinary {@link RecipeException};
 * the CLI reports it as a usage error (exit 2) naming the option, when the verb has that option.
 */
public class BadValueException extends RecipeException {
    private final String field;

    public BadValueException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
