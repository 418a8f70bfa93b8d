package dev.sealwright.engine;

import java.util.List;
import java.util.Objects;

/**
 * One option a step type accepts. {@code type} is the Java type of the value after conversion:
 * String, Long, Boolean, Input (a file, directory or another step's output), Secret, or a List of these.
 */
public record OptionSpec(String name, Class<?> type, boolean list, boolean required, Object defaultValue, String description) {
    public OptionSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        description = description == null ? "" : description;
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

    public String typeName() {
        String t = type == Input.class ? "file or step output" : type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
        return list ? "list of " + t : t;
    }
}
