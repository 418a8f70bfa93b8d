package dev.sealwright.engine;

import dev.sealwright.base.RecipeException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/** The validators step types attach to their options ({@link OptionSpec#checked}); each answers one short phrase. */
public final class OptionChecks {
    private OptionChecks() {}

    /** One of these words (case-sensitive). */
    public static OptionSpec.Check oneOf(String... words) {
        List<String> allowed = List.of(words);
        return v -> allowed.contains(v) ? null : "'" + v + "' is not one of " + String.join(", ", allowed);
    }

    /** One of these numbers. */
    public static OptionSpec.Check oneOf(long... values) {
        return v -> Arrays.stream(values).anyMatch(n -> n == (Long) v) ? null
                : v + " is not one of " + Arrays.toString(values).replaceAll("[\\[\\]]", "");
    }

    /** A whole number in [min, max]. */
    public static OptionSpec.Check range(long min, long max) {
        return v -> {
            long n = (Long) v;
            return n >= min && n <= max ? null : n + " is out of range " + min + ".." + max;
        };
    }

    /** A TCP port, 0 meaning any free port. */
    public static OptionSpec.Check port() {
        return range(0, 65535);
    }

    /** Hex digits ("0x" allowed) encoding at most {@code maxBytes} bytes; exactly that many when {@code exact}. */
    public static OptionSpec.Check hex(int maxBytes, boolean exact) {
        return v -> {
            String s = ((String) v).startsWith("0x") ? ((String) v).substring(2) : (String) v;
            if (s.length() % 2 != 0 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0))
                return "'" + v + "' is not hex";
            int bytes = s.length() / 2;
            if (exact && bytes != maxBytes) return "'" + v + "' is " + bytes + " bytes; must be " + maxBytes + " (" + 2 * maxBytes + " hex digits)";
            return bytes > maxBytes ? "'" + v + "' is " + bytes + " bytes; at most " + maxBytes : null;
        };
    }

    /** An ISO-8601 instant such as 2026-01-01T00:00:00Z. */
    public static OptionSpec.Check instant() {
        return v -> {
            try {
                Instant.parse((String) v);
                return null;
            } catch (DateTimeParseException e) {
                return "'" + v + "' is not an ISO-8601 instant like 2026-01-01T00:00:00Z";
            }
        };
    }

    /** Text matching {@code regex} entirely; {@code what} names the expected form. */
    public static OptionSpec.Check matches(String regex, String what) {
        Pattern p = Pattern.compile(regex);
        return v -> p.matcher((String) v).matches() ? null : "'" + v + "' is not " + what;
    }

    /** Text the capability's own parser accepts: its one-line message is the problem. */
    public static OptionSpec.Check parsedBy(Consumer<String> parser) {
        return v -> {
            try {
                parser.accept(String.valueOf(v));
                return null;
            } catch (RecipeException | IllegalArgumentException e) {
                return e.getMessage();
            }
        };
    }

    /** A size such as 512M or 2G, checked by {@code check}; a whole number given in a recipe stands for its text (MiB). */
    public static OptionSpec.Check size(OptionSpec.Check check) {
        return (OptionSpec.NumberAsText) check::problem;
    }

    /** A number the capability's own check accepts: its one-line message is the problem. */
    public static OptionSpec.Check acceptedBy(LongConsumer check) {
        return v -> {
            try {
                check.accept((Long) v);
                return null;
            } catch (RecipeException | IllegalArgumentException e) {
                return e.getMessage();
            }
        };
    }

    /** {@code n} as an int, saturated (so a check on an int field sees an out-of-range value as out of range). */
    public static int clampToInt(long n) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
    }

    /** A file given directly must be a directory (a step output is checked by its kind). */
    public static OptionSpec.Check directory() {
        return v -> !(v instanceof FileRef f) || !Files.exists(f.path()) || Files.isDirectory(f.path()) ? null : f.path() + " is not a directory";
    }

    /** A file given directly must not be a directory. */
    public static OptionSpec.Check regularFile() {
        return v -> !(v instanceof FileRef f) || !Files.isDirectory(f.path()) ? null : f.path() + " is a directory, not a file";
    }
}
