package dev.sealwright.measure.shim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The CSV rows of a {@code .sbat} section (component, generation, vendor, package, version, url); NUL padding ends it. */
public final class Sbat {
    public record Row(String component, String generation, String vendor, String packageName, String version) {}

    private Sbat() {}

    public static List<Row> parse(byte[] section) {
        int end = 0;
        while (end < section.length && section[end] != 0) end++;
        List<Row> rows = new ArrayList<>();
        for (String line : new String(section, 0, end, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(",", -1);
            if (f.length >= 5) rows.add(new Row(f[0], f[1], f[2], f[3], f[4]));
        }
        return rows;
    }
}
