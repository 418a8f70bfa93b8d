package dev.sealwright.measure.snp;

/** SNP PAGE_INFO page types (SNP ABI, SNP_LAUNCH_UPDATE). */
public enum PageType {
    NORMAL(1), VMSA(2), ZERO(3), UNMEASURED(4), SECRETS(5), CPUID(6);

    public final int code;

    PageType(int code) {
        this.code = code;
    }
}
