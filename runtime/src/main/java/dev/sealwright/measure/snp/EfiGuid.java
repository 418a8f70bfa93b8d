package dev.sealwright.measure.snp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/** EFI GUIDs in their mixed-endian byte form (first three fields little-endian, as uuid.bytes_le). */
public final class EfiGuid {
    private EfiGuid() {}

    public static byte[] toBytes(UUID guid) {
        ByteBuffer be = ByteBuffer.allocate(16).putLong(guid.getMostSignificantBits()).putLong(guid.getLeastSignificantBits());
        byte[] b = be.array();
        swap(b, 0, 3);
        swap(b, 1, 2);
        swap(b, 4, 5);
        swap(b, 6, 7);
        return b;
    }

    public static UUID fromBytes(byte[] data, int off) {
        byte[] b = java.util.Arrays.copyOfRange(data, off, off + 16);
        swap(b, 0, 3);
        swap(b, 1, 2);
        swap(b, 4, 5);
        swap(b, 6, 7);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        return new UUID(bb.getLong(), bb.getLong());
    }

    private static void swap(byte[] b, int i, int j) {
        byte t = b[i];
        b[i] = b[j];
        b[j] = t;
    }
}
