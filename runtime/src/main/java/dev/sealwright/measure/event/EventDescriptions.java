package dev.sealwright.measure.event;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** One-line human descriptions of logged event data (variable names, action strings, tags). */
public final class EventDescriptions {
    /** EV_EVENT_TAG ids used by the Linux EFI stub (drivers/firmware/efi/libstub). */
    public static final long TAG_LOAD_OPTIONS = 0x8F3B22EDL;
    public static final long TAG_INITRD = 0x8F3B22ECL;

    private EventDescriptions() {}

    public static String describe(long type, byte[] data) {
        try {
            if (type == EventType.EV_EFI_VARIABLE_DRIVER_CONFIG || type == EventType.EV_EFI_VARIABLE_BOOT
                    || type == EventType.EV_EFI_VARIABLE_BOOT2 || type == EventType.EV_EFI_VARIABLE_AUTHORITY)
                return variable(data);
            if (type == EventType.EV_EFI_ACTION || type == EventType.EV_ACTION || type == EventType.EV_IPL
                    || type == EventType.EV_PLATFORM_CONFIG_FLAGS || type == EventType.EV_POST_CODE
                    || type == EventType.EV_S_CRTM_VERSION)
                return text(data);
            if (type == EventType.EV_SEPARATOR) return "separator " + java.util.HexFormat.of().formatHex(data);
            if (type == EventType.EV_EVENT_TAG) return tag(data);
            if (type == EventType.EV_EFI_HANDOFF_TABLES2 || type == EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2)
                return text(java.util.Arrays.copyOfRange(data, 1, 1 + Byte.toUnsignedInt(data[0])));
            if (type == EventType.EV_EFI_BOOT_SERVICES_APPLICATION || type == EventType.EV_EFI_BOOT_SERVICES_DRIVER
                    || type == EventType.EV_EFI_RUNTIME_SERVICES_DRIVER) {
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                return String.format("EFI image at 0x%x, %d bytes", b.getLong(0), b.getLong(8));
            }
            if (type == EventType.EV_NO_ACTION) return text(data);
        } catch (RuntimeException malformed) {
            return "(" + data.length + " bytes, malformed for its type)";
        }
        return data.length + " bytes";
    }

    /** UEFI_VARIABLE_DATA: GUID, name length (chars), data length, UTF-16LE name, data. */
    private static String variable(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long nameChars = b.getLong(16);
        long dataLen = b.getLong(24);
        String name = new String(data, 32, (int) nameChars * 2, StandardCharsets.UTF_16LE);
        return "variable " + name + " (" + dataLen + " bytes)";
    }

    /** TCG_PCClientTaggedEvent (TPM logs); TDX CC logs carry only the description text (e.g. "LOADED_IMAGE::LoadOptions"). */
    private static String tag(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 8 || Integer.toUnsignedLong(b.getInt(4)) != data.length - 8) return text(data);
        long id = Integer.toUnsignedLong(b.getInt(0));
        int size = b.getInt(4);
        String what = id == TAG_LOAD_OPTIONS ? "LoadOptions" : id == TAG_INITRD ? "Linux initrd" : String.format("tag 0x%08x", id);
        return what + ": " + text(java.util.Arrays.copyOfRange(data, 8, 8 + size));
    }

    /** ASCII text with NULs shown as \0 (trailing NULs dropped), other bytes as \xNN. */
    static String text(byte[] data) {
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) end--;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < end && sb.length() < 200; i++) {
            int c = data[i] & 0xFF;
            if (c == 0) sb.append("\\0");
            else if (c >= 0x20 && c < 0x7F) sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
