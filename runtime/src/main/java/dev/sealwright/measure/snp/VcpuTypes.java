package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPUID(1).EAX signatures of QEMU's built-in AMD {@code -cpu} models (what lands in the VMSA's RDX). */
public final class VcpuTypes {
    private static final Map<String, Long> SIGS = new LinkedHashMap<>();

    static {
        for (String n : new String[] {"EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4"}) SIGS.put(n, cpuSig(23, 1, 2));
        for (String n : new String[] {"EPYC-Rome", "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3"}) SIGS.put(n, cpuSig(23, 49, 0));
        for (String n : new String[] {"EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2"}) SIGS.put(n, cpuSig(25, 1, 1));
        for (String n : new String[] {"EPYC-Genoa", "EPYC-Genoa-v1"}) SIGS.put(n, cpuSig(25, 17, 0));
        for (String n : new String[] {"EPYC-Turin", "EPYC-Turin-v1", "EPYC-Turin-v2"}) SIGS.put(n, cpuSig(26, 0, 0));
    }

    private VcpuTypes() {}

    /** {@code (extFamily<<20)|(extModel<<16)|(family<<8)|(model<<4)|stepping}, family split at 0xF. */
    public static long cpuSig(int family, int model, int stepping) {
        int familyLow = family > 0xF ? 0xF : family;
        int familyHigh = family > 0xF ? (family - 0xF) & 0xFF : 0;
        return ((long) familyHigh << 20) | ((long) (model >> 4) & 0xF) << 16 | (long) familyLow << 8 | (long) (model & 0xF) << 4 | (stepping & 0xF);
    }

    public static long signature(String cpuType) {
        Long sig = SIGS.get(cpuType);
        if (sig == null) throw new RecipeException("unknown vCPU type '" + cpuType + "' (known: " + String.join(", ", SIGS.keySet()) + ")");
        return sig;
    }

    public static Map<String, Long> all() {
        return Collections.unmodifiableMap(SIGS);
    }
}
