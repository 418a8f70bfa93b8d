package dev.sealwright.measure.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * QEMU's BIOS linker/loader ({@code hw/acpi/bios-linker-loader.c}): 128-byte commands; ALLOCATE
 * commands go first (QEMU prepends them, so the last allocation comes first).
 */
final class Loader {
    static final int ZONE_HIGH = 1, ZONE_FSEG = 2;
    private static final int ENTRY = 128, FILE = 56;

    private final ByteArrayOutputStream allocations = new ByteArrayOutputStream();
    private final ByteArrayOutputStream commands = new ByteArrayOutputStream();

    void allocate(String file, int align, int zone) {
        byte[] prev = allocations.toByteArray();
        allocations.reset();
        allocations.writeBytes(entry(1).put(name(file)).putInt(align).put((byte) zone).array());
        allocations.writeBytes(prev);
    }

    void pointer(String dest, int offset, int size, String src) {
        commands.writeBytes(entry(2).put(name(dest)).put(name(src)).putInt(offset).put((byte) size).array());
    }

    /** ADD_CHECKSUM over a table whose checksum byte is at offset 9. */
    void checksum(String file, int start, int length) {
        checksum(file, start, length, start + 9);
    }

    void checksum(String file, int start, int length, int at) {
        commands.writeBytes(entry(3).put(name(file)).putInt(at).putInt(start).putInt(length).array());
    }

    byte[] bytes(int align) {
        byte[] all = Arrays.copyOf(allocations.toByteArray(), allocations.size() + commands.size());
        System.arraycopy(commands.toByteArray(), 0, all, allocations.size(), commands.size());
        return Arrays.copyOf(all, (all.length + align - 1) / align * align);
    }

    private static ByteBuffer entry(int command) {
        return ByteBuffer.allocate(ENTRY).order(ByteOrder.LITTLE_ENDIAN).putInt(command);
    }

    private static byte[] name(String file) {
        return Arrays.copyOf(file.getBytes(StandardCharsets.US_ASCII), FILE);
    }
}
