package dev.sealwright.measure.tdx;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.vm.LaunchStep;
import dev.sealwright.vm.VmSpec;

import java.util.List;

/**
 * Cached step {@code measure.tdx}: the same prediction ({@link TdxMeasurement}) as {@code sealwright measure tdx}, written to
 * {@code expected.json} (mrtd, rtmr0..3, missing, events). The VM options (firmware, vars, kernel,
 * initrd, cmdline, uki, cpus, memory) are the launch step's and describe the VM through the same
 * {@link VmSpec}; a recipe's {@code vm { }} value feeds both steps, and expected.json records that VmSpec
 * under {@code vm} (the same JSON as the launch step's vm.json).
 */
public final class MeasureTdxStep implements StepType {
    @Override public String name() { return "measure.tdx"; }
    @Override public int version() { return 5; }
    @Override public String description() { return "predict TDX MRTD and RTMR0..3 from firmware and boot inputs"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(LaunchStep.VmOption.option(false, "the VM: a vm { } value, the one launch boots (instead of firmware, vars, kernel, initrd, cmdline, uki, cpus, memory, tee, disks)"),
                OptionSpec.optional("firmware", Input.class, null, "combined OVMF/TDVF image (OVMF.fd)"),
                OptionSpec.optional("vars", Input.class, null, "OVMF vars (refused: a TD loads one combined image)"),
                OptionSpec.optional("kernel", Input.class, null, "kernel (bzImage) or UKI booted directly (-kernel)"),
                OptionSpec.optional("initrd", Input.class, null, "initrd for direct kernel boot"),
                OptionSpec.optional("cmdline", String.class, null, "kernel command line for direct kernel boot"),
                OptionSpec.optional("uki", Input.class, null, "UKI booted from the ESP of a GPT disk (as launch boots it)"),
                OptionSpec.optional("bootDisk", Input.class, null, "disk image the UKI boots from (default: the ESP disk launch writes for it)"),
                OptionSpec.optional("cpus", Long.class, null, "vCPUs (ACPI only; default " + VmSpec.DEFAULT_CPUS + ")").checked(OptionChecks.range(1, 512)),
                OptionSpec.optional("memory", String.class, null, "guest RAM, e.g. 512M or 2G (default " + VmSpec.DEFAULT_MEMORY + ")").checked(OptionChecks.size(OptionChecks.parsedBy(VmSpec::parseMemory))),
                OptionSpec.optional("tee", String.class, null, "tdx (the default), or none for a VM described for a host without TDX (snp is refused)"),
                OptionSpec.optional("profile", String.class, TdxMeasurement.DEFAULT_PROFILE, "host-stack profile (sealwright measure profiles)"),
                OptionSpec.optional("secureBoot", String.class, null, "absent|0|1: override the profile's SecureBoot measurement").checked(OptionChecks.parsedBy(TdxProfile.SecureBootMeasurement::parse)),
                OptionSpec.optional("kernelPatch", String.class, null, "all|linux|none: override the profile's QEMU header patching").checked(OptionChecks.parsedBy(TdxProfile.KernelHeaderPatch::parse)),
                OptionSpec.optional("disks", Long.class, null, "virtio disks of the TD (ACPI only; default 0)").checked(OptionChecks.range(0, 64)),
                OptionSpec.optional("acpi", Input.class, null, "directory with table-loader, rsdp, tables captured from the target (default: built for the profile's QEMU)").checked(OptionChecks.directory()),
                OptionSpec.optional("stubVersion", Long.class, null, "systemd-stub version of a UKI without .sdmagic"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("expected", "expected.json", "predicted registers and events"),
                OutputSpec.value("mrtd", "predicted MRTD (hex)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        TdxMeasurement.Result r;
        if (ctx.option("vm") instanceof LaunchStep.VmOption vm) {
            for (String flat : VM_OPTIONS)
                if (ctx.option(flat) != null) throw new RecipeException("measure.tdx: " + flat + " is the vm's; give it inside vm { } (or no vm)");
            r = TdxMeasurement.run(vm.resolve(ctx), new TdxMeasurement.Host(ctx.string("profile"), ctx.string("secureBoot"), ctx.string("kernelPatch"),
                    ctx.path("acpi"), ctx.path("bootDisk"), integer(ctx, "stubVersion")));
        } else {
            r = TdxMeasurement.run(new TdxMeasurement.Request(ctx.path("firmware"), ctx.path("vars"), ctx.path("kernel"),
                    ctx.path("initrd"), ctx.string("cmdline"), ctx.path("uki"), ctx.path("bootDisk"), integer(ctx, "cpus"), ctx.string("memory"),
                    ctx.string("tee"), ctx.string("profile"), ctx.string("secureBoot"), ctx.string("kernelPatch"), integer(ctx, "disks"),
                    ctx.path("acpi"), integer(ctx, "stubVersion")));
        }
        AtomicFiles.write(ctx.output("expected"), r.json());
        TdxPrediction p = r.prediction();
        ctx.value("mrtd", p.mrtdHex());
        for (int i = 0; i < 4; i++)
            ctx.log("rtmr" + i + " " + (p.rtmrHex(i) != null ? p.rtmrHex(i) : "not computed: " + String.join("; ", p.missing().get(i))));
    }

    /** The options a vm { } value gives instead (the flat form, for a firmware-only prediction and older recipes). */
    private static final List<String> VM_OPTIONS = List.of("firmware", "vars", "kernel", "initrd", "cmdline", "uki", "cpus", "memory", "tee", "disks");

    private static Integer integer(StepContext ctx, String name) {
        return ctx.option(name) == null ? null : Math.toIntExact(ctx.number(name));
    }
}
