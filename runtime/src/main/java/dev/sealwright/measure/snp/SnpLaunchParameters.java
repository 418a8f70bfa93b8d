package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;

import java.nio.file.Path;

/**
 * Everything the launch digest depends on. Build with {@link #builder()}; {@link #validate()} rejects
 * combinations sev-snp-measure rejects. The Launch component's VmSpec maps onto these fields.
 */
public record SnpLaunchParameters(SevMode mode, Path ovmf, byte[] ovmfHash, int vcpus, Long vcpuSig, VmmType vmmType,
                                  Path kernel, Path initrd, String append, long guestFeatures, boolean kvmInit2,
                                  Path svsm, long varsSize) {
    /** Guest features default: SNPActive only (right for upstream host kernels >= 6.8). */
    public static final long DEFAULT_GUEST_FEATURES = 0x1;
    /** Bits of SEV_FEATURES defined by the APM; the rest must be zero. */
    static final long KNOWN_GUEST_FEATURES = 0xD7FFL;

    public static Builder builder() {
        return new Builder();
    }

    public void validate() {
        if (ovmf == null) throw new RecipeException("measure snp: an OVMF firmware file is required");
        if (ovmfHash != null && mode != SevMode.SNP) throw new RecipeException("measure snp: an OVMF hash seed only works in mode snp, not " + mode.cliName);
        if (ovmfHash != null && ovmfHash.length != LaunchDigest.SIZE)
            throw new RecipeException("measure snp: the OVMF hash must be 48 bytes (96 hex digits), got " + ovmfHash.length + " bytes");
        if ((initrd != null || append != null) && kernel == null) throw new RecipeException("measure snp: an initrd or cmdline needs a kernel");
        if (mode == SevMode.SEV || mode == SevMode.SNP_OVMF_HASH) return;
        if (vcpus < 1) throw new RecipeException("measure snp: at least one vCPU is required in mode " + mode.cliName + ", got " + vcpus);
        if (vcpuSig == null && (vmmType.usesVcpuSignature() || mode == SevMode.SNP_SVSM))
            throw new RecipeException("measure snp: a vCPU type (or signature) is required for VMM " + vmmType + " in mode " + mode.cliName);
        if ((guestFeatures & ~KNOWN_GUEST_FEATURES) != 0)
            throw new RecipeException(String.format("measure snp: guest features 0x%X set reserved bits 0x%X", guestFeatures, guestFeatures & ~KNOWN_GUEST_FEATURES));
        if (mode == SevMode.SNP_SVSM) {
            if (vmmType != VmmType.QEMU) throw new RecipeException("measure snp: mode snp:svsm is only defined for VMM QEMU");
            if (svsm == null) throw new RecipeException("measure snp: mode snp:svsm needs the SVSM image");
            if (varsSize <= 0 || varsSize % LaunchDigest.PAGE != 0)
                throw new RecipeException("measure snp: mode snp:svsm needs the OVMF vars size, a positive multiple of 4096 (got " + varsSize + ")");
            if (kernel != null) throw new RecipeException("measure snp: mode snp:svsm does not measure a kernel");
        }
    }

    public static final class Builder {
        private SevMode mode = SevMode.SNP;
        private Path ovmf, kernel, initrd, svsm;
        private byte[] ovmfHash;
        private int vcpus = 1;
        private Long vcpuSig;
        private VmmType vmmType = VmmType.QEMU;
        private String append;
        private long guestFeatures = DEFAULT_GUEST_FEATURES;
        private boolean kvmInit2 = true;
        private long varsSize;

        public Builder mode(SevMode v) { mode = v; return this; }
        public Builder ovmf(Path v) { ovmf = v; return this; }
        public Builder ovmfHash(byte[] v) { ovmfHash = v == null ? null : v.clone(); return this; }
        public Builder vcpus(int v) { vcpus = v; return this; }
        public Builder vcpuSig(Long v) { vcpuSig = v; return this; }
        public Builder vcpuType(String v) { vcpuSig = v == null ? null : VcpuTypes.signature(v); return this; }
        public Builder vmmType(VmmType v) { vmmType = v; return this; }
        public Builder kernel(Path v) { kernel = v; return this; }
        public Builder initrd(Path v) { initrd = v; return this; }
        public Builder append(String v) { append = v; return this; }
        public Builder guestFeatures(long v) { guestFeatures = v; return this; }
        /** Host kernel >= 6.10 (KVM_SEV_INIT2) sets MXCSR/FCW in the QEMU VMSA; false for older kernels. */
        public Builder kvmInit2(boolean v) { kvmInit2 = v; return this; }
        public Builder svsm(Path v) { svsm = v; return this; }
        public Builder varsSize(long v) { varsSize = v; return this; }

        public SnpLaunchParameters build() {
            return new SnpLaunchParameters(mode, ovmf, ovmfHash, vcpus, vcpuSig, vmmType, kernel, initrd, append, guestFeatures,
                    kvmInit2, svsm, varsSize);
        }
    }
}
