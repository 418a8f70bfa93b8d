package dev.sealwright.measure.event;

import dev.sealwright.base.OneLine;

/**
 * What the index field of an event means. A CC event log (TDX CCEL) stores the CC MR index
 * (1..4 = RTMR0..3; 0 would be MRTD, which is never extended at runtime); a TPM event log stores
 * the PCR index (0..23).
 */
public enum LogKind {
    CC_EVENT_LOG("cc", 4),
    TPM_EVENT_LOG("tpm", 24);

    private final String label;
    private final int registers;

    LogKind(String label, int registers) {
        this.label = label;
        this.registers = registers;
    }

    public String label() {
        return label;
    }

    /** Number of registers replay produces: 4 RTMRs or 24 PCRs. */
    public int registers() {
        return registers;
    }

    /** Register slot (0-based) an event index extends, or -1 when the index names no extendable register. */
    public int slot(long index) {
        if (this == CC_EVENT_LOG) return index >= 1 && index <= 4 ? (int) index - 1 : -1;
        return index >= 0 && index < 24 ? (int) index : -1;
    }

    /** "RTMR0".."RTMR3" or "PCR0".."PCR23" for an event index. */
    public String registerName(long index) {
        int slot = slot(index);
        if (slot < 0) return this == CC_EVENT_LOG && index == 0 ? "MRTD" : "index " + index;
        return (this == CC_EVENT_LOG ? "RTMR" : "PCR") + slot;
    }

    public static LogKind byLabel(String label) {
        for (LogKind k : values()) if (k.label.equals(label)) return k;
        throw new IllegalArgumentException("unknown event log kind '" + OneLine.of(label) + "' (cc or tpm)");
    }
}
