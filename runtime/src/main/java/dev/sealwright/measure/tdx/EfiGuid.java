package dev.sealwright.measure.tdx;

/** EFI GUID byte order: Data1..Data3 little-endian, Data4 as-is. */
final class EfiGuid {
    private EfiGuid() {}

    static byte[] bytes(String guid) {
        return dev.sealwright.measure.event.UefiVariableData.guidBytes(guid);
    }

    static boolean at(byte[] data, int offset, String guid) {
        if (offset < 0 || offset + 16 > data.length) return false;
        byte[] g = bytes(guid);
        for (int i = 0; i < 16; i++) if (data[offset + i] != g[i]) return false;
        return true;
    }
}
