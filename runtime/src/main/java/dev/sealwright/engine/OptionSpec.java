package dev.sealwright.engine;

import java.util.List;
import java.util.Objects;

/**
 * One option a step type accepts. {@code type} is the Java type of the value after conversion:
 * String, Long, Boolean, Input (a file, directory or another step's output), Secret, or a List of these.
 * {@code check} validates a value where the recipe is loaded, before any step runs (see {@link OptionChecks});
 * the DSL runs it on every value it sets (so the error names the option's line) and {@link Pipeline.Builder}
 * again on every step it adds (pipelines built from Java). A {@link RecordOption} type is declared with {@link #record},
 * which gives its {@code decoder} (the configuration cache builds the value again through it); null for other types.
 */
public record OptionSpec(String name, Class<?> type, boolean list, boolean required, Object defaultValue, String description, Check check,
                         RecordOption.Decoder<?> decoder) {
    /**
     * What is wrong with one value, or null when it is fine. Given each element of a list option; never
     * given a step output (its value is not known at load time) and only given values of the option's type.
     */
    @FunctionalInterface
    public interface Check {
        String problem(Object value);
    }

    /**
     * The check of a text option whose value is a size ({@link OptionChecks#size}): a whole number given for it in a
     * recipe stands for its decimal text ({@code memory 2048} is {@code '2048'}, MiB).
     */
    @FunctionalInterface
    public interface NumberAsText extends Check {}

    /** Whether a number given for this option means its decimal text (a size option). */
    public boolean numberAsText() {
        return type == String.class && check instanceof NumberAsText;
    }

    public OptionSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        description = description == null ? "" : description;
        if (RecordOption.class.isAssignableFrom(type) != (decoder != null))
            throw new IllegalArgumentException("option " + name + ": a " + type.getSimpleName() + (decoder == null ? " needs a decoder (OptionSpec.record)" : " is not a RecordOption"));
    }

    public OptionSpec(String name, Class<?> type, boolean list, boolean required, Object defaultValue, String description) {
        this(name, type, list, required, defaultValue, description, null, null);
    }

    /** A single record option of class {@code type}, built again by {@code decoder} (see {@link RecordOption}). */
    public static <T extends RecordOption> OptionSpec record(String name, Class<T> type, RecordOption.Decoder<T> decoder, boolean required, String description) {
        return new OptionSpec(name, type, false, required, null, description, null, decoder);
    }

    public static OptionSpec required(String name, Class<?> type, String description) {
        return new OptionSpec(name, type, false, true, null, description);
    }

    public static OptionSpec optional(String name, Class<?> type, Object defaultValue, String description) {
        return new OptionSpec(name, type, false, false, defaultValue, description);
    }

    public static OptionSpec requiredList(String name, Class<?> type, String description) {
        return new OptionSpec(name, type, true, true, null, description);
    }

    public static OptionSpec optionalList(String name, Class<?> type, String description) {
        return new OptionSpec(name, type, true, false, List.of(), description);
    }

    /** The same option with a validator, e.g. {@code optional("hash", ...).checked(OptionChecks.oneOf("sha256", "sha512"))}. */
    public OptionSpec checked(Check check) {
        return new OptionSpec(name, type, list, required, defaultValue, description, check, decoder);
    }

    /**
     * What is wrong with {@code value} (one element of a list option), or null: step outputs, values of
     * another type (reported as mistyped elsewhere) and options without a check pass.
     */
    public String problem(Object value) {
        if (check == null || value == null || value instanceof OutputRef) return null;
        boolean typed = type.isInstance(value) || (type == Long.class && value instanceof Number) || (type == String.class && value instanceof CharSequence);
        if (!typed) return null;
        if (value instanceof Number n && type == Long.class) value = n.longValue();
        if (value instanceof CharSequence cs) value = cs.toString();
        return check.problem(value);
    }

    public String typeName() {
        String t = type == Input.class ? "file or step output" : type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
        return list ? "list of " + t : t;
    }
}
