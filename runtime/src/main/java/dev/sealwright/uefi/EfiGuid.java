package dev.sealwright.uefi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/** EFI_GUID in its on-disk byte order: the first three fields little-endian, the last 8 bytes as written. */
public final class EfiGuid {
    public static final UUID CERT_X509 = UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    public static final UUID CERT_SHA256 = UUID.fromString("c1c41626-504c-4092-aca9-41f936934328");
    public static final UUID GLOBAL_VARIABLE = UUID.fromString("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    public static final UUID IMAGE_SECURITY_DATABASE = UUID.fromString("d719b2cb-3d3a-4596-a3bc-dad00e67656f");

    private EfiGuid() {}

    public static UUID read(ByteBuffer b) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long d1 = Integer.toUnsignedLong(le.getInt());
        int d2 = Short.toUnsignedInt(le.getShort());
        int d3 = Short.toUnsignedInt(le.getShort());
        long msb = (d1 << 32) | ((long) d2 << 16) | d3;
        long lsb = le.order(ByteOrder.BIG_ENDIAN).getLong();
        b.position(b.position() + 16);
        return new UUID(msb, lsb);
    }

    /** The GUID at {@code offset} of {@code data}. */
    public static UUID read(byte[] data, int offset) {
        return read(ByteBuffer.wrap(data, offset, 16));
    }

    /** True if {@code data} holds {@code guid} at {@code offset} (false when out of range). */
    public static boolean at(byte[] data, int offset, UUID guid) {
        return offset >= 0 && offset + 16 <= data.length && read(data, offset).equals(guid);
    }

    public static byte[] bytes(String guid) {
        return bytes(UUID.fromString(guid));
    }

    public static byte[] bytes(UUID guid) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        long msb = guid.getMostSignificantBits();
        b.putInt((int) (msb >>> 32)).putShort((short) (msb >>> 16)).putShort((short) msb);
        b.order(ByteOrder.BIG_ENDIAN).putLong(guid.getLeastSignificantBits());
        return b.array();
    }
}
