package dev.sealwright.measure.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The 36-byte ACPI table header as QEMU writes it (OEM "BOCHS ", table id "BXPC", creator "BXPC",
 * revisions 1). The checksum byte stays 0 in {@code etc/acpi/tables}: the firmware computes it when it
 * runs the table loader's ADD_CHECKSUM command.
 */
final class AcpiTable {
    private AcpiTable() {}

    static final int HEADER = 36;

    static byte[] table(String signature, int revision, byte[] body) {
        return header(signature, revision, HEADER + body.length).put(body).array();
    }

    static ByteBuffer header(String signature, int revision, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(signature.getBytes(StandardCharsets.US_ASCII)).putInt(length).put((byte) revision).put((byte) 0);
        b.put("BOCHS ".getBytes(StandardCharsets.US_ASCII)).put("BXPC    ".getBytes(StandardCharsets.US_ASCII)).putInt(1);
        b.put("BXPC".getBytes(StandardCharsets.US_ASCII)).putInt(1);
        return b;
    }
}
