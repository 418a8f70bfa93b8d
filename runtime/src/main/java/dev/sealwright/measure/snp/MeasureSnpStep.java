package dev.sealwright.measure.snp;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cached step {@code measure.snp}: the predicted SNP (or SEV-ES / SEV) launch digest of a VM's firmware,
 * vCPUs and measured direct-boot kernel. The VM parameters are plain options for now; the Launch
 * component's VmSpec will map onto them.
 */
public final class MeasureSnpStep implements StepType {
    @Override public String name() { return "measure.snp"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "predict the SEV-SNP launch digest (sev-snp-measure compatible)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("ovmf", Input.class, "firmware exactly as given to QEMU (-bios)"),
                OptionSpec.optional("mode", String.class, "snp", "snp | snp:ovmf-hash | snp:svsm | seves | sev"),
                OptionSpec.optional("vcpus", Long.class, 1L, "number of boot vCPUs"),
                OptionSpec.optional("vcpuType", String.class, "EPYC-v4", "QEMU -cpu model"),
                OptionSpec.optional("vmmType", String.class, "QEMU", "QEMU | ec2 | ec2-legacy | gce"),
                OptionSpec.optional("kernel", Input.class, null, "kernel for measured direct boot (kernel-hashes=on)"),
                OptionSpec.optional("initrd", Input.class, null, "initrd for measured direct boot"),
                OptionSpec.optional("append", String.class, null, "kernel command line"),
                OptionSpec.optional("guestFeatures", Long.class, SnpLaunchParameters.DEFAULT_GUEST_FEATURES, "VMSA SEV_FEATURES"),
                OptionSpec.optional("hostKernel", String.class, "6.10", "host kernel version (6.10+ sets MXCSR/FCW)"),
                OptionSpec.optional("ovmfHash", String.class, null, "precomputed OVMF hash (hex) instead of hashing the firmware pages"),
                OptionSpec.optional("svsm", Input.class, null, "Coconut SVSM image (mode snp:svsm)"),
                OptionSpec.optional("varsSize", Long.class, 0L, "OVMF vars size in bytes (mode snp:svsm)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("measurement", "measurement.json", "digest, stages and VMSA hashes"),
                OutputSpec.value("digest", "launch digest, hex"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        SevMode mode = SevMode.parse(ctx.string("mode"));
        VmmType vmm = VmmType.parse(ctx.string("vmmType"));
        var b = SnpLaunchParameters.builder()
                .mode(mode)
                .ovmf(ctx.path("ovmf"))
                .vcpus((int) ctx.number("vcpus"))
                .vmmType(vmm)
                .kernel(ctx.path("kernel"))
                .initrd(ctx.path("initrd"))
                .append(ctx.string("append"))
                .guestFeatures(ctx.number("guestFeatures"))
                .kvmInit2(ByteValues.isKvmInit2(ctx.string("hostKernel")))
                .svsm(ctx.path("svsm"))
                .varsSize(ctx.number("varsSize"));
        if (vmm.usesVcpuSignature() || mode == SevMode.SNP_SVSM) b.vcpuType(ctx.string("vcpuType"));
        if (ctx.string("ovmfHash") != null) b.ovmfHash(ByteValues.hexOrBase64("ovmfHash", ctx.string("ovmfHash"), LaunchDigest.SIZE));
        LaunchMeasurement m = LaunchDigestCalculator.measure(b.build());
        AtomicFiles.write(ctx.output("measurement"), Json.pretty(m.toMap()).getBytes(StandardCharsets.UTF_8));
        ctx.value("digest", m.hex());
        ctx.log(m.mode().cliName + " launch digest " + m.hex());
    }
}
