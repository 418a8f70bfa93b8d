package dev.sealwright.measure.shim;

import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Finds a PE section by its full name. Names longer than 8 bytes (shim's {@code .vendor_cert},
 * {@code .sbatlevel}) are stored as "/N": offset N into the COFF string table, which follows the
 * symbol table (PointerToSymbolTable + 18 × NumberOfSymbols), as objcopy and objdump resolve them.
 */
final class CoffSections {
    private CoffSections() {}

    static PeSection find(PeFile pe, byte[] image, String name) {
        for (PeSection s : pe.sections())
            if (s.name().equals(name) || name.equals(longName(image, s.name()))) return s;
        return null;
    }

    private static String longName(byte[] image, String shortName) {
        if (!shortName.matches("/[0-9]{1,7}")) return null;
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int pe = b.getInt(0x3c);
        long symbols = Integer.toUnsignedLong(b.getInt(pe + 12)), count = Integer.toUnsignedLong(b.getInt(pe + 16));
        long at = symbols + 18 * count + Long.parseLong(shortName.substring(1));
        if (symbols == 0 || at >= image.length) return null;
        int end = (int) at;
        while (end < image.length && image[end] != 0) end++;
        return new String(image, (int) at, end - (int) at, StandardCharsets.US_ASCII);
    }
}
