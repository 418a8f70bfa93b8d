package dev.sealwright.tools;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An external program sealwright can use: how to find it, which Debian package provides it,
 * how to ask its version. {@code files} lists alternative absolute paths for firmware-like
 * "tools" that are data files rather than programs (OVMF, systemd-stub).
 */
public record ToolSpec(String name, String debianPackage, List<String> versionArgs, Pattern versionPattern,
                       List<String> files, String purpose) {

    public static ToolSpec program(String name, String debianPackage, String versionArg, String purpose) {
        return new ToolSpec(name, debianPackage, versionArg == null ? List.of() : List.of(versionArg),
                Pattern.compile("(\\d+\\.\\d+(?:\\.\\d+)?(?:[-~.+][0-9A-Za-z.+~-]+)?)"), List.of(), purpose);
    }

    public static ToolSpec file(String name, String debianPackage, List<String> files, String purpose) {
        return new ToolSpec(name, debianPackage, List.of(), null, files, purpose);
    }

    public boolean isFile() {
        return !files.isEmpty();
    }
}
