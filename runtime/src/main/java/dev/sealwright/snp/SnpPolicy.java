package dev.sealwright.snp;

import java.util.ArrayList;
import java.util.List;

/** SNP guest POLICY bits (SNP ABI): ABI minor/major, SMT, reserved-1, MIGRATE_MA, DEBUG, SINGLE_SOCKET, ... */
public final class SnpPolicy {
    public static final long SMT = 1L << 16, RESERVED_ONE = 1L << 17, MIGRATE_MA = 1L << 18, DEBUG = 1L << 19, SINGLE_SOCKET = 1L << 20,
            CXL_ALLOW = 1L << 21, MEM_AES_256_XTS = 1L << 22, RAPL_DIS = 1L << 23, CIPHERTEXT_HIDING = 1L << 24, PAGE_SWAP_DISABLE = 1L << 25;
    /** Bits 63:26 must be zero. */
    public static final long MBZ = ~((1L << 26) - 1);

    private SnpPolicy() {}

    public static List<String> describe(long policy) {
        List<String> f = new ArrayList<>();
        f.add("abi " + ((policy >>> 8) & 0xFF) + "." + (policy & 0xFF));
        String[] names = {"smt", "reserved-1", "migrate-ma", "debug", "single-socket", "cxl-allow", "mem-aes-256-xts", "rapl-dis", "ciphertext-hiding", "page-swap-disable"};
        for (int i = 0; i < names.length; i++) if ((policy & (1L << (16 + i))) != 0) f.add(names[i]);
        if ((policy & MBZ) != 0) f.add(String.format("reserved bits 0x%X", policy & MBZ));
        return f;
    }
}
