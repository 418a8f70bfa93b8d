package dev.sealwright.attest.snp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TCB_VERSION (8 bytes, little-endian as a u64). Milan/Genoa: [0] boot loader, [1] TEE, [6] SNP,
 * [7] microcode. Turin: [0] FMC, [1] boot loader, [2] TEE, [3] SNP, [7] microcode.
 */
public record TcbVersion(long raw, ProductGeneration generation) {
    private int b(int i) {
        return (int) (raw >>> (8 * i)) & 0xFF;
    }

    public Integer fmc() {
        return generation.hasFmc() ? b(0) : null;
    }

    public int bootLoader() {
        return generation.hasFmc() ? b(1) : b(0);
    }

    public int tee() {
        return generation.hasFmc() ? b(2) : b(1);
    }

    public int snp() {
        return generation.hasFmc() ? b(3) : b(6);
    }

    public int microcode() {
        return b(7);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (generation.hasFmc()) m.put("fmc", fmc());
        m.put("bootloader", bootLoader());
        m.put("tee", tee());
        m.put("snp", snp());
        m.put("microcode", microcode());
        return m;
    }

    @Override
    public String toString() {
        return (generation.hasFmc() ? "fmc " + fmc() + " / " : "") + "bl " + bootLoader() + " / tee " + tee() + " / snp " + snp() + " / ucode " + microcode();
    }
}
