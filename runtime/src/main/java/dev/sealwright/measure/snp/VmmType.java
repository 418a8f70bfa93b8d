package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The hypervisor that builds the initial VMSAs. Each sets segment attributes, RDX, PAT and the FPU
 * fields its own way (values as sev-snp-measure 0.0.13; {@link #EC2_LEGACY} is the EC2 profile of
 * sev-snp-measure up to 0.0.12 and of the virtee/sev crate, with RDX 0).
 */
public enum VmmType {
    QEMU("QEMU"), EC2("ec2"), EC2_LEGACY("ec2-legacy"), GCE("gce");

    static final long BSP_EIP = 0xFFFFFFF0L;
    static final long DEFAULT_PAT = 0x0007040600070406L;

    public final String cliName;

    VmmType(String cliName) {
        this.cliName = cliName;
    }

    public static VmmType parse(String s) {
        for (VmmType t : values()) if (t.cliName.equalsIgnoreCase(s) || t.name().equalsIgnoreCase(s)) return t;
        throw new RecipeException("unknown VMM type '" + s + "' (known: "
                + Arrays.stream(values()).map(t -> t.cliName).collect(Collectors.joining(", ")) + ")");
    }

    /** Whether the vCPU signature reaches the VMSA (RDX); EC2 and GCE put fixed values there. */
    public boolean usesVcpuSignature() {
        return this == QEMU;
    }

    /**
     * The reset VMSA of a vCPU starting at {@code eip} (0xFFFFFFF0 for the BSP, the SEV-ES reset address
     * for APs). {@code kvmInit2} = host kernel 6.10 or later (KVM_SEV_INIT2), which sets MXCSR and FCW.
     */
    public Vmsa vmsa(long eip, long sevFeatures, long vcpuSig, boolean kvmInit2) {
        int csAttr = 0x9B, ssAttr = 0x93, trAttr = 0x8B;
        long rdx = 0x600, gPat = DEFAULT_PAT;
        int mxcsr = 0, fcw = 0;
        switch (this) {
            case QEMU -> {
                rdx = vcpuSig;
                if (kvmInit2) {
                    mxcsr = 0x1F80;
                    fcw = 0x37F;
                }
            }
            case EC2, EC2_LEGACY -> {
                if (eip == BSP_EIP) csAttr = 0x9A;
                ssAttr = 0x92;
                trAttr = 0x83;
                rdx = this == EC2 ? 0x600 : 0;
            }
            case GCE -> gPat = 0x00070106L;
        }
        var data = new Vmsa.Segment(0, 0x93, 0xFFFF, 0);
        return new Vmsa(data, new Vmsa.Segment(0xF000, csAttr, 0xFFFF, eip & 0xFFFF0000L), new Vmsa.Segment(0, ssAttr, 0xFFFF, 0),
                data, data, data, new Vmsa.Segment(0, 0, 0xFFFF, 0), new Vmsa.Segment(0, 0x82, 0xFFFF, 0),
                new Vmsa.Segment(0, 0, 0xFFFF, 0), new Vmsa.Segment(0, trAttr, 0xFFFF, 0),
                0x1000, 0x40, 0x10, 0x400, 0xFFFF0FF0L, 0x2, eip & 0xFFFF, 0, 0, 0, rdx, gPat, sevFeatures, 0x1, mxcsr, fcw);
    }

    /**
     * The VMSA of every vCPU of a Coconut SVSM guest (QEMU): flat 32-bit segments, full EIP, SNPActive only.
     * FCW stays 0 as in sev-snp-measure (whose hardware-derived vectors match that).
     */
    public static Vmsa svsmVmsa(long eip, long vcpuSig) {
        var flat = new Vmsa.Segment(16, 0xC93, 0xFFFFFFFFL, 0);
        return new Vmsa(flat, new Vmsa.Segment(8, 0xC9B, 0xFFFFFFFFL, 0), flat, flat, flat, new Vmsa.Segment(0, 0x93, 0xFFFF, 0),
                new Vmsa.Segment(0, 0, 0xFFFF, 0), new Vmsa.Segment(0, 0x82, 0xFFFF, 0), new Vmsa.Segment(0, 0, 0xFFFF, 0),
                new Vmsa.Segment(0, 0x8B, 0xFFFF, 0),
                0x1000, 0x40, 0x11, 0x400, 0xFFFF0FF0L, 0x2, eip, 0, 0, 0, vcpuSig, DEFAULT_PAT, 0x1, 0x1, 0x1F80, 0);
    }

    @Override
    public String toString() {
        return cliName;
    }
}
