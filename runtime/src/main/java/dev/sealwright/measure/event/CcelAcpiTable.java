package dev.sealwright.measure.event;

import dev.sealwright.base.RecipeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The ACPI "CCEL" table (/sys/firmware/acpi/tables/CCEL, 56 bytes): standard header, CC type
 * (2 = TDX) and subtype, LAML (log area minimum length) and LASA (log area start address).
 */
public record CcelAcpiTable(int revision, String oemId, String oemTableId, int ccType, int ccSubtype, long laml, long lasa, byte[] header) {
    public static final int LENGTH = 56;

    public static boolean looksLike(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'C' && bytes[1] == 'C' && bytes[2] == 'E' && bytes[3] == 'L';
    }

    public static CcelAcpiTable read(byte[] t, String source) {
        if (t.length != LENGTH || !looksLike(t)) throw new RecipeException(source + ": not a 56-byte ACPI CCEL table");
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(4) != LENGTH) throw new RecipeException(source + ": CCEL table length field is " + Integer.toUnsignedString(b.getInt(4)) + ", not 56");
        int sum = 0;
        for (byte x : t) sum += x;
        if ((sum & 0xFF) != 0) throw new RecipeException(source + ": CCEL table checksum does not add up to 0");
        return new CcelAcpiTable(t[8] & 0xFF, new String(t, 10, 6, StandardCharsets.US_ASCII), new String(t, 16, 8, StandardCharsets.US_ASCII),
                t[36] & 0xFF, t[37] & 0xFF, b.getLong(40), b.getLong(48), java.util.Arrays.copyOf(t, 36));
    }

    /** The table bytes: the kept header fields, CC type/subtype, LAML, LASA and a fresh checksum. */
    public byte[] write() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header).put((byte) ccType).put((byte) ccSubtype).putShort((short) 0).putLong(laml).putLong(lasa);
        byte[] t = b.array();
        t[9] = 0;
        int sum = 0;
        for (byte x : t) sum += x;
        t[9] = (byte) -sum;
        return t;
    }

    public String ccTypeName() {
        return switch (ccType) {
            case 1 -> "SEV";
            case 2 -> "TDX";
            default -> "type " + ccType;
        };
    }
}
