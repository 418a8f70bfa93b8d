package dev.sealwright.measure.snp;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The one SNP launch-digest operation: {@code sealwright measure snp} and the {@code measure.snp} step both
 * build a {@link Request} and call {@link #run}; the defaults live here.
 */
public final class SnpMeasurement {
    private SnpMeasurement() {}

    public static final String DEFAULT_MODE = "snp";
    public static final String DEFAULT_VMM = "QEMU";
    public static final String DEFAULT_HOST_KERNEL = "6.10";
    public static final int DEFAULT_VCPUS = 1;
    /** The vCPU type taken where a signature is required (VMM QEMU, mode snp:svsm) and none is given. */
    public static final String DEFAULT_VCPU_TYPE = "EPYC-v4";

    /**
     * Null means the default: mode snp, vmm QEMU, vcpus 1 (ignored in modes sev and snp:ovmf-hash), guest features 0x1, host kernel 6.10, no OVMF
     * hash, vars size 0. The vCPU signature comes from {@code vcpuFamily} (with {@code vcpuModel},
     * {@code vcpuStepping}, default 0), else {@code vcpuSig}, else {@code vcpuType}, else
     * {@link #DEFAULT_VCPU_TYPE} where one is required (sev-snp-measure has no such default and
     * asks for --vcpus and --vcpu-type).
     * {@code varsFile} gives the vars size by its length.
     */
    public record Request(String mode, Path ovmf, String ovmfHash, Integer vcpus, String vcpuType, Long vcpuSig, Integer vcpuFamily,
                          Integer vcpuModel, Integer vcpuStepping, String vmmType, Path kernel, Path initrd, String append,
                          Long guestFeatures, String hostKernel, Path svsm, Long varsSize, Path varsFile) {}

    /** measurement.json / {@code --output-format json}: the same bytes everywhere. */
    public static byte[] json(LaunchMeasurement m) {
        return Json.pretty(m.toMap()).getBytes(StandardCharsets.UTF_8);
    }

    public static LaunchMeasurement run(Request r) {
        return LaunchDigestCalculator.measure(parameters(r));
    }

    static SnpLaunchParameters parameters(Request r) {
        SevMode mode = SevMode.parse(r.mode() == null ? DEFAULT_MODE : r.mode());
        VmmType vmm = VmmType.parse(r.vmmType() == null ? DEFAULT_VMM : r.vmmType());
        for (Path p : new Path[]{r.ovmf(), r.kernel(), r.initrd(), r.svsm()})
            if (p != null) InputFiles.requireFile(p, "file");
        var b = SnpLaunchParameters.builder().mode(mode).ovmf(r.ovmf()).vmmType(vmm)
                .vcpus(r.vcpus() == null ? DEFAULT_VCPUS : r.vcpus())
                .kernel(r.kernel()).initrd(r.initrd()).append(r.append())
                .guestFeatures(r.guestFeatures() == null ? SnpLaunchParameters.DEFAULT_GUEST_FEATURES : r.guestFeatures())
                .kvmInit2(ByteValues.isKvmInit2(r.hostKernel() == null ? DEFAULT_HOST_KERNEL : r.hostKernel()))
                .svsm(r.svsm());
        if (r.ovmfHash() != null) b.ovmfHash(ByteValues.hexOrBase64("ovmfHash", r.ovmfHash(), LaunchDigest.SIZE));
        if (r.vcpuFamily() != null)
            b.vcpuSig(VcpuTypes.cpuSig(r.vcpuFamily(), r.vcpuModel() == null ? 0 : r.vcpuModel(), r.vcpuStepping() == null ? 0 : r.vcpuStepping()));
        else if (r.vcpuSig() != null) b.vcpuSig(r.vcpuSig());
        else if (r.vcpuType() != null) b.vcpuType(r.vcpuType());
        else if (vmm.usesVcpuSignature() || mode == SevMode.SNP_SVSM) b.vcpuType(DEFAULT_VCPU_TYPE);
        if (r.varsFile() != null) {
            long size = InputFiles.requireFile(r.varsFile(), "varsFile");
            if (size <= 0 || size % LaunchDigest.PAGE != 0)
                throw new RecipeException(r.varsFile() + ": is " + size + " bytes; an OVMF vars file is a positive multiple of 4096");
            b.varsSize(size);
        } else if (r.varsSize() != null) b.varsSize(r.varsSize());
        return b.build();
    }
}
