package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;

import java.util.Base64;
import java.util.HexFormat;

/** Parses byte strings and numbers given on the command line or in recipes (hex with optional 0x, or base64). */
public final class ByteValues {
    private ByteValues() {}

    /** Hex (optionally 0x-prefixed) or base64 of exactly {@code length} bytes. */
    public static byte[] hexOrBase64(String what, String value, int length) {
        String v = value.strip();
        String h = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
        if (h.length() == 2 * length && h.matches("[0-9a-fA-F]+")) return HexFormat.of().parseHex(h);
        try {
            byte[] b = Base64.getDecoder().decode(v);
            if (b.length == length) return b;
        } catch (IllegalArgumentException ignored) {
            // not base64 either: reported below
        }
        throw new RecipeException(what + " must be " + length + " bytes as hex (" + 2 * length + " digits) or base64, got '" + abbreviate(v) + "'");
    }

    /** Hex of at most {@code length} bytes, zero-padded on the right (ids, report data). */
    public static byte[] hexPadded(String what, String value, int length) {
        String h = value.strip();
        if (h.startsWith("0x") || h.startsWith("0X")) h = h.substring(2);
        if (h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]*") || h.length() > 2 * length)
            throw new RecipeException(what + " must be at most " + length + " bytes of hex, got '" + abbreviate(value) + "'");
        byte[] out = new byte[length];
        byte[] b = HexFormat.of().parseHex(h);
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** A number in hex (0x...) or decimal. */
    public static long number(String what, String value) {
        String v = value.strip();
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) return Long.parseUnsignedLong(v.substring(2), 16);
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new RecipeException(what + " must be a number (decimal or 0x-hex), got '" + abbreviate(v) + "'");
        }
    }

    /** True when a host kernel version ("6.10", "6.8.0-45-generic") uses KVM_SEV_INIT2 (6.10 or later). */
    public static boolean isKvmInit2(String hostKernel) {
        var m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(hostKernel.strip());
        if (!m.find()) throw new RecipeException("host kernel version must look like 6.10 or 6.8.0-45-generic, got '" + abbreviate(hostKernel) + "'");
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        return major > 6 || major == 6 && minor >= 10;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
