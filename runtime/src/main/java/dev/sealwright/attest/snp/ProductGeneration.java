package dev.sealwright.attest.snp;

import java.util.Locale;

/** AMD EPYC generations with SEV-SNP; decides the TCB_VERSION layout and the KDS product name. */
public enum ProductGeneration {
    MILAN("Milan"), GENOA("Genoa"), TURIN("Turin");

    public final String kdsName;

    ProductGeneration(String kdsName) {
        this.kdsName = kdsName;
    }

    /** From the VCEK productName extension ("Milan-B0", "Genoa-B1", "Turin"); null if unknown. */
    public static ProductGeneration fromProductName(String name) {
        if (name == null) return null;
        String n = name.toLowerCase(Locale.ROOT);
        for (ProductGeneration g : values()) if (n.startsWith(g.kdsName.toLowerCase(Locale.ROOT))) return g;
        return null;
    }

    /** From the report's CPUID family/model (report version 3 and later); null if unknown. */
    public static ProductGeneration fromCpuid(int family, int model) {
        if (family == 0x19 && model <= 0x0F) return MILAN;
        if (family == 0x19 && (model >= 0x10 && model <= 0x1F || model >= 0xA0 && model <= 0xAF)) return GENOA;
        if (family == 0x1A) return TURIN;
        return null;
    }

    /** Turin and later use the FMC-first TCB layout. */
    public boolean hasFmc() {
        return this == TURIN;
    }
}
