package dev.sealwright.vm;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sealwright.base.RecipeException;

import java.util.Base64;

/**
 * SEV-SNP launch options, named as QEMU >= 9.1 names the {@code sev-snp-guest} properties.
 * {@code idBlock}, {@code idAuth} and {@code hostData} are base64, as QEMU takes them;
 * {@code kernelHashes} null means "on for direct kernel boot". {@code cpuModel} enters the
 * VMSA and so the launch digest (SNPGuard and sev-snp-measure default to EPYC-v4).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SnpOptions(long policy, int cbitpos, int reducedPhysBits, Boolean kernelHashes,
                         String idBlock, String idAuth, boolean authorKeyEnabled, String hostData, String cpuModel) {
    public static final SnpOptions DEFAULT = new SnpOptions(0x30000L, 51, 1, null, null, null, false, null, "EPYC-v4");

    public SnpOptions {
        if (cbitpos < 32 || cbitpos > 63) throw new RecipeException("snp cbitpos " + cbitpos + " is not in 32..63 (it is CPUID 0x8000001F EBX[5:0] of the host)");
        if (reducedPhysBits < 1 || reducedPhysBits > 63) throw new RecipeException("snp reduced-phys-bits " + reducedPhysBits + " is not in 1..63");
        if (cpuModel == null || cpuModel.isBlank()) cpuModel = "EPYC-v4";
        checkBase64("id-block", idBlock, 96, 96);
        checkBase64("id-auth", idAuth, 1, 4096);
        checkBase64("host-data", hostData, 32, 32);
        if (idAuth != null && idBlock == null) throw new RecipeException("snp id-auth needs an id-block");
        if (authorKeyEnabled && idAuth == null) throw new RecipeException("snp author-key-enabled needs an id-auth holding the author key");
    }

    private static void checkBase64(String what, String value, int min, int max) {
        if (value == null) return;
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new RecipeException("snp " + what + " is not base64: " + e.getMessage());
        }
        if (raw.length < min || raw.length > max)
            throw new RecipeException("snp " + what + " is " + raw.length + " bytes; QEMU takes " + (min == max ? "exactly " + min : "at most " + max));
    }

    public SnpOptions withIdBlock(String block, String auth, boolean authorKey) {
        return new SnpOptions(policy, cbitpos, reducedPhysBits, kernelHashes, block, auth, authorKey, hostData, cpuModel);
    }

    public SnpOptions withHostData(String data) {
        return new SnpOptions(policy, cbitpos, reducedPhysBits, kernelHashes, idBlock, idAuth, authorKeyEnabled, data, cpuModel);
    }

    public SnpOptions withPolicy(long p) {
        return new SnpOptions(p, cbitpos, reducedPhysBits, kernelHashes, idBlock, idAuth, authorKeyEnabled, hostData, cpuModel);
    }

    public SnpOptions withCbitpos(int c) {
        return new SnpOptions(policy, c, reducedPhysBits, kernelHashes, idBlock, idAuth, authorKeyEnabled, hostData, cpuModel);
    }
}
