package dev.sealwright.measure.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** FACS (build_facs): signature, length 64, everything else zero; no header, no checksum. */
final class Facs {
    private Facs() {}

    static byte[] build() {
        return ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).put("FACS".getBytes(StandardCharsets.US_ASCII)).putInt(64).array();
    }
}
