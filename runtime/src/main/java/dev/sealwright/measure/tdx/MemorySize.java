package dev.sealwright.measure.tdx;

import dev.sealwright.engine.RecipeException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Guest RAM sizes as QEMU's -m takes them: 2G, 2048M, 2GiB, 512MiB, or bytes. */
public final class MemorySize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(i?B)?");

    private MemorySize() {}

    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) throw new RecipeException("memory '" + text + "': use a size such as 2G or 2048M");
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }
}
