package dev.sealwright.measure.snp;

/** Types of the descriptors in the OVMF (or SVSM) SEV metadata table ("ASEV"). */
public enum SectionType {
    SNP_SEC_MEM(1), SNP_SECRETS(2), CPUID(3), SVSM_CAA(4), SNP_KERNEL_HASHES(0x10);

    public final int code;

    SectionType(int code) {
        this.code = code;
    }

    /** Null if unknown. */
    public static SectionType of(int code) {
        for (SectionType t : values()) if (t.code == code) return t;
        return null;
    }
}
