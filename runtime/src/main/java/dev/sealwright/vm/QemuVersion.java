package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A QEMU release number; the command-line syntax of TDX and SNP depends on it. */
public record QemuVersion(int major, int minor, int micro) implements Comparable<QemuVersion> {
    private static final Pattern V = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** Parses "8.2.2", "10.1" or the first line of {@code qemu-system-x86_64 --version}. */
    public static QemuVersion parse(String text) {
        Matcher m = V.matcher(text == null ? "" : text);
        if (!m.find()) throw new RecipeException("cannot read a QEMU version from '" + text + "' (expected e.g. 8.2.2)");
        return new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /** The TDX command-line dialect of this QEMU (the one rule; profiles reach it through their QEMU version). */
    public TdxDialect tdxDialect() {
        return major >= 9 ? TdxDialect.UPSTREAM : TdxDialect.CANONICAL_8_2;
    }

    public boolean atLeast(int maj, int min) {
        return major > maj || (major == maj && minor >= min);
    }

    @Override
    public int compareTo(QemuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        return c != 0 ? c : Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }
}
