package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which launch measurement to predict; names as sev-snp-measure's {@code --mode}. */
public enum SevMode {
    /** SEV-SNP: SHA-384 GCTX digest over firmware, metadata pages and VMSAs. */
    SNP("snp", "SHA-384"),
    /** Only the firmware pages of the SNP digest: the "OVMF hash" usable as a seed. */
    SNP_OVMF_HASH("snp:ovmf-hash", "SHA-384"),
    /** SEV-SNP with a Coconut SVSM below OVMF. */
    SNP_SVSM("snp:svsm", "SHA-384"),
    /** SEV-ES: SHA-256 over firmware, hashes table and VMSAs. */
    SEV_ES("seves", "SHA-256"),
    /** SEV: SHA-256 over firmware and hashes table. */
    SEV("sev", "SHA-256");

    public final String cliName;
    public final String algorithm;

    SevMode(String cliName, String algorithm) {
        this.cliName = cliName;
        this.algorithm = algorithm;
    }

    public static SevMode parse(String s) {
        for (SevMode m : values()) if (m.cliName.equalsIgnoreCase(s)) return m;
        throw new RecipeException("unknown SEV mode '" + s + "' (known: "
                + Arrays.stream(values()).map(m -> m.cliName).collect(Collectors.joining(", ")) + ")");
    }

    public boolean isSnp() {
        return this == SNP || this == SNP_OVMF_HASH || this == SNP_SVSM;
    }
}
