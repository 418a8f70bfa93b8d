package dev.sealwright.measure.acpi;

import static dev.sealwright.measure.acpi.Aml.bytes;
import static dev.sealwright.measure.acpi.Aml.cat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** ACPI resource descriptors (ACPI 6.5 §6.4) for ResourceTemplate buffers, with the end tag QEMU writes. */
public final class Resources {
    private Resources() {}

    /** A ResourceTemplate: the descriptors and an end tag with checksum 0, as a Buffer. */
    public static byte[] template(byte[]... descriptors) {
        return Aml.buffer(cat(cat(descriptors), bytes(0x79, 0x00)));
    }

    public static byte[] io(int min, int max, int align, int length) {
        return bytes(0x47, 0x01, min, min >>> 8, max, max >>> 8, align, length);
    }

    public static byte[] irqNoFlags(int irq) {
        int mask = 1 << irq;
        return bytes(0x22, mask, mask >>> 8);
    }

    /** Extended Interrupt, consumer, edge- or level-triggered, active high, shared. */
    public static byte[] interrupt(boolean edge, int... irqs) {
        ByteBuffer b = le(5 + 4 * irqs.length).put((byte) 0x89).putShort((short) (2 + 4 * irqs.length)).put((byte) (edge ? 0x0b : 0x09)).put((byte) irqs.length);
        for (int irq : irqs) b.putInt(irq);
        return b.array();
    }

    /** Producer, MinFixed, MaxFixed, PosDecode. */
    private static final byte PRODUCER_FIXED = 0x0c;

    public static byte[] wordBusNumber(int min, int max) {
        return word(2, 0, min, max);
    }

    /** WordIO, EntireRange. */
    public static byte[] wordIo(int min, int max) {
        return word(1, 3, min, max);
    }

    private static byte[] word(int type, int typeFlags, int min, int max) {
        return le(16).put((byte) 0x88).putShort((short) 13).put((byte) type).put(PRODUCER_FIXED).put((byte) typeFlags)
                .putShort((short) 0).putShort((short) min).putShort((short) max).putShort((short) 0).putShort((short) (max - min + 1)).array();
    }

    public static byte[] dwordMemory(boolean cacheable, long min, long max) {
        return le(26).put((byte) 0x87).putShort((short) 23).put((byte) 0).put(PRODUCER_FIXED).put((byte) (cacheable ? 3 : 1))
                .putInt(0).putInt((int) min).putInt((int) max).putInt(0).putInt((int) (max - min + 1)).array();
    }

    public static byte[] qwordMemory(boolean cacheable, long min, long max) {
        return le(46).put((byte) 0x8a).putShort((short) 43).put((byte) 0).put(PRODUCER_FIXED).put((byte) (cacheable ? 3 : 1))
                .putLong(0).putLong(min).putLong(max).putLong(0).putLong(max - min + 1).array();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
