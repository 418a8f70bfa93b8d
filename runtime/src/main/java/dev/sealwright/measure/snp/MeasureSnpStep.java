package dev.sealwright.measure.snp;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.vm.LaunchStep;
import dev.sealwright.vm.Tee;
import dev.sealwright.vm.VmSpec;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.file.Path;
import java.util.List;

/**
 * Cached step {@code measure.snp}: the predicted SNP (or SEV-ES / SEV) launch digest of a VM's firmware,
 * vCPUs and measured direct-boot kernel, computed by {@link SnpMeasurement} as {@code sealwright measure snp}
 * computes it (option names are the CLI's flags in camelCase).
 */
public final class MeasureSnpStep implements StepType {
    @Override public String name() { return "measure.snp"; }
    @Override public int version() { return 2; }
    @Override public String description() { return "predict the SEV-SNP launch digest (sev-snp-measure compatible)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                LaunchStep.VmOption.option(false, "the VM: a vm { } value with tee snp, the one launch boots (instead of ovmf, vcpus, vcpuType, kernel, initrd, append)"),
                OptionSpec.optional("ovmf", Input.class, null, "firmware exactly as given to QEMU (-bios)"),
                OptionSpec.optional("mode", String.class, SnpMeasurement.DEFAULT_MODE, "snp | snp:ovmf-hash | snp:svsm | seves | sev").checked(OptionChecks.parsedBy(SevMode::parse)),
                OptionSpec.optional("vcpus", Long.class, null, "number of boot vCPUs (default " + SnpMeasurement.DEFAULT_VCPUS + ")").checked(OptionChecks.range(1, 512)),
                OptionSpec.optional("vcpuType", String.class, null, "QEMU -cpu model (default " + SnpMeasurement.DEFAULT_VCPU_TYPE + " where a signature is measured)").checked(OptionChecks.parsedBy(VcpuTypes::signature)),
                OptionSpec.optional("vcpuSig", Long.class, null, "vCPU signature (CPUID(1).EAX) instead of vcpuType"),
                OptionSpec.optional("vcpuFamily", Long.class, null, "vCPU family (with vcpuModel and vcpuStepping) instead of vcpuType"),
                OptionSpec.optional("vcpuModel", Long.class, null, "vCPU model, with vcpuFamily (default 0)"),
                OptionSpec.optional("vcpuStepping", Long.class, null, "vCPU stepping, with vcpuFamily (default 0)"),
                OptionSpec.optional("vmmType", String.class, SnpMeasurement.DEFAULT_VMM, "QEMU | ec2 | ec2-legacy | gce").checked(OptionChecks.parsedBy(VmmType::parse)),
                OptionSpec.optional("kernel", Input.class, null, "kernel for measured direct boot (kernel-hashes=on)"),
                OptionSpec.optional("initrd", Input.class, null, "initrd for measured direct boot"),
                OptionSpec.optional("append", String.class, null, "kernel command line"),
                OptionSpec.optional("guestFeatures", Long.class, SnpLaunchParameters.DEFAULT_GUEST_FEATURES, "VMSA SEV_FEATURES"),
                OptionSpec.optional("hostKernel", String.class, SnpMeasurement.DEFAULT_HOST_KERNEL, "host kernel version (6.10+ sets MXCSR/FCW)").checked(OptionChecks.parsedBy(ByteValues::isKvmInit2)),
                OptionSpec.optional("ovmfHash", String.class, null, "precomputed OVMF hash (hex) instead of hashing the firmware pages").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("svsm", Input.class, null, "Coconut SVSM image (mode snp:svsm)"),
                OptionSpec.optional("varsSize", Long.class, null, "OVMF vars size in bytes (mode snp:svsm)"),
                OptionSpec.optional("varsFile", Input.class, null, "OVMF vars file, for its size (mode snp:svsm), instead of varsSize"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("measurement", "measurement.json", "digest, stages and VMSA hashes"),
                OutputSpec.value("digest", "launch digest, hex"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path ovmf = ctx.path("ovmf"), kernel = ctx.path("kernel"), initrd = ctx.path("initrd");
        Integer vcpus = integer(ctx, "vcpus");
        String vcpuType = ctx.string("vcpuType"), append = ctx.string("append");
        if (ctx.option("vm") instanceof LaunchStep.VmOption option) {   // the VM launch boots: its firmware, vCPUs, CPU model and direct boot
            for (String flat : List.of("ovmf", "vcpus", "kernel", "initrd", "append"))
                if (ctx.option(flat) != null) throw new RecipeException("measure.snp: " + flat + " is the vm's; give it inside vm { } (or no vm)");
            VmSpec vm = option.resolve(ctx);
            if (vm.tee() != Tee.SNP) throw new RecipeException("measure.snp: the vm's tee is " + vm.tee().lower() + "; an SNP launch digest needs tee 'snp'");
            if (vm.boot() != VmSpec.Boot.DIRECT)
                throw new RecipeException("measure.snp: the vm boots from a disk, which SNP does not measure; give the UKI or kernel as kernel (measured direct boot)");
            ovmf = Path.of(vm.firmware());
            vcpus = vm.cpus();
            if (vcpuType != null && !vcpuType.equals(vm.snp().cpuModel()))
                throw new RecipeException("measure.snp: vcpuType " + vcpuType + " is not the vm's CPU model " + vm.snp().cpuModel() + " (launch's -cpu)");
            vcpuType = vm.snp().cpuModel();
            kernel = Path.of(vm.kernel());
            initrd = vm.initrd() == null ? null : Path.of(vm.initrd());
            append = vm.cmdline();
        }
        LaunchMeasurement m = SnpMeasurement.run(new SnpMeasurement.Request(ctx.string("mode"), ovmf, ctx.string("ovmfHash"),
                vcpus, vcpuType, longValue(ctx, "vcpuSig"), integer(ctx, "vcpuFamily"), integer(ctx, "vcpuModel"),
                integer(ctx, "vcpuStepping"), ctx.string("vmmType"), kernel, initrd, append,
                longValue(ctx, "guestFeatures"), ctx.string("hostKernel"), ctx.path("svsm"), longValue(ctx, "varsSize"), ctx.path("varsFile")));
        AtomicFiles.write(ctx.output("measurement"), SnpMeasurement.json(m));
        ctx.value("digest", m.hex());
        ctx.log(m.mode().cliName + " launch digest " + m.hex());
    }

    private static Long longValue(StepContext ctx, String name) {
        return ctx.option(name) == null ? null : ctx.number(name);
    }

    private static Integer integer(StepContext ctx, String name) {
        return ctx.option(name) == null ? null : Math.toIntExact(ctx.number(name));
    }
}
