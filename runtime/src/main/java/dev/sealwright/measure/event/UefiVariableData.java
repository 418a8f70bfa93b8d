package dev.sealwright.measure.event;

import dev.sealwright.uefi.EfiGuid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** {@code UEFI_VARIABLE_DATA}: VariableName GUID, name length (CHAR16, no NUL), data length, UTF-16LE name, data. */
public final class UefiVariableData {
    public static final String EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
    public static final String EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

    private UefiVariableData() {}

    public static byte[] encode(String guid, String name, byte[] value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer b = ByteBuffer.allocate(32 + n.length + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(guidBytes(guid)).putLong(name.length()).putLong(value.length).put(n).put(value);
        return b.array();
    }

    /** A GUID in EFI byte order (Data1..3 little-endian, Data4 as-is). */
    public static byte[] guidBytes(String guid) {
        return EfiGuid.bytes(guid);
    }
}
