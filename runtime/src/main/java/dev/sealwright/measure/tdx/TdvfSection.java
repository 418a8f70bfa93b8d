package dev.sealwright.measure.tdx;

/**
 * One TDVF metadata section entry (32 bytes): where its bytes sit in the firmware file, where
 * the TD maps them (GPA), its type and attributes (bit0 MR.EXTEND, bit1 PAGE.AUG).
 */
public record TdvfSection(long dataOffset, long rawDataSize, long memoryAddress, long memoryDataSize, Type type, long attributes) {
    public static final long ATTR_MR_EXTEND = 1, ATTR_PAGE_AUG = 2;

    /** Section types; 5..8 come from td-shim. */
    public enum Type { BFV, CFV, TD_HOB, TEMP_MEM, PERM_MEM, PAYLOAD, PAYLOAD_PARAM, TD_INFO, TD_PARAMS }

    public boolean extended() {
        return (attributes & ATTR_MR_EXTEND) != 0;
    }

    /** PAGE.AUG sections are accepted lazily by the guest and never PAGE.ADDed. */
    public boolean pageAug() {
        return (attributes & ATTR_PAGE_AUG) != 0;
    }
}
