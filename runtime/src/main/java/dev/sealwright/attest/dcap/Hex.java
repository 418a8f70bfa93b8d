package dev.sealwright.attest.dcap;

import java.util.HexFormat;

/** Lowercase hex for field rendering and known-answer comparisons. */
public final class Hex {
    private Hex() {
    }

    public static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    public static byte[] parse(String s) {
        return HexFormat.of().parseHex(s);
    }
}
