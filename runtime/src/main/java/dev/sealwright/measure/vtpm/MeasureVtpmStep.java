package dev.sealwright.measure.vtpm;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.vm.LaunchStep;
import dev.sealwright.vm.QemuVersion;
import dev.sealwright.vm.VmSpec;
import dev.sealwright.disk.DiskEncryptStep;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.measure.event.HashAlg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;


/**
 * Cached step {@code measure.vtpm}: the same prediction ({@link VtpmMeasurement}) as {@code sealwright measure vtpm}, written to
 * {@code expected.json} (sha256/sha384 PCR values, missing, events), the {@code pcrValues} input of
 * {@code tpmSeal}. Option names match the CLI flags.
 */
public final class MeasureVtpmStep implements StepType {
    @Override public String name() { return "measure.vtpm"; }
    @Override public int version() { return 4; }
    @Override public String description() { return "predict vTPM PCRs 0-15 of an OVMF + swtpm boot of a systemd-stub UKI"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(LaunchStep.VmOption.option(false, "the VM: a vm { } value with vtpm, the one launch boots (instead of firmwareCode, firmwareVars, uki, bootDisk, memory, cpus)"),
                OptionSpec.optional("firmwareCode", Input.class, null, "OVMF code file"),
                OptionSpec.optional("firmwareVars", Input.class, null, "OVMF vars file the VM starts from"),
                OptionSpec.optional("uefiConfig", Input.class, null, "uefi-config.json instead of a vars file"),
                OptionSpec.optional("uki", Input.class, null, "the UKI booted from the ESP (or espChain)"),
                OptionSpec.optional("espChain", Boolean.class, false, "predict the shim -> GRUB -> kernel chain on the ESP of bootDisk (needs secureBoot)"),
                OptionSpec.optional("secureBoot", Boolean.class, false, "Secure Boot is enforced"),
                OptionSpec.optional("bootDisk", Input.class, null, "the boot disk image, raw, VHD (fixed or dynamic) or qcow2 (its GPT goes into PCR 5; default: the disk launch writes for the UKI, unless referenceLog)"),
                OptionSpec.optional("referenceLog", Input.class, null, "TPM log of the same firmware and VM: PCR 0, 1 (and 5) events instead of computed ones"),
                OptionSpec.optional("profile", Input.class, null, "a captured vTPM profile (measure capture --vtpm): its PCR 0 and 1 events, for its firmware and shape only"),
                OptionSpec.optional("qemuVersion", String.class, null, "with profile: the release of the QEMU that runs the VM, e.g. '7.2.22' (default: that of qemu-system-x86_64 on PATH); it must be the captured one")
                        .checked(OptionChecks.parsedBy(QemuVersion::parse)),
                OptionSpec.optional("memory", String.class, null, "the VM's memory, as for launch (PCR 0; default: launch's)").checked(OptionChecks.size(OptionChecks.matches("\\d+\\s*[KMGTkmgt]?(i?[Bb])?", "a size like 512M or 2G"))),
                OptionSpec.optional("cpus", Long.class, null, "the VM's vCPUs, as for launch (PCR 0; default: launch's)").checked(OptionChecks.range(1, 512)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("expected", "expected.json", "predicted PCR values and events"),
                OutputSpec.value("pcr7", "predicted sha256 PCR 7 (hex)"));
    }

    private static Path path(String file) {
        return file == null ? null : Path.of(file);
    }

    private static Integer cpus(StepContext ctx) {
        return ctx.option("cpus") instanceof Number n ? n.intValue() : null;
    }

    /**
     * mcopy reads the ESP chain; with a profile and no qemuVersion, the host QEMU's release is compared with the
     * captured one; qemu-img reads a qcow2 boot disk ({@link DiskEncryptStep#imageTools}).
     */
    @Override
    public List<String> tools(Map<String, Object> options) {
        List<String> tools = new ArrayList<>();
        if (Boolean.TRUE.equals(options.get("espChain"))) tools.add("mcopy");
        if (options.get("profile") != null && options.get("qemuVersion") == null) tools.add("qemu-system-x86_64");
        Object bootDisk = options.get("vm") instanceof LaunchStep.VmOption vm ? vm.files().get(vm.template().bootDisk()) : options.get("bootDisk");
        tools.addAll(DiskEncryptStep.imageTools(bootDisk));
        return tools;
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        VtpmMeasurement.Request request;
        if (ctx.option("vm") instanceof LaunchStep.VmOption option) {   // the VM launch boots: its firmware, vars, boot path and shape
            for (String flat : List.of("firmwareCode", "firmwareVars", "uki", "bootDisk", "memory", "cpus"))
                if (ctx.option(flat) != null) throw new RecipeException("measure.vtpm: " + flat + " is the vm's; give it inside vm { } (or no vm)");
            VmSpec vm = option.resolve(ctx);
            if (!vm.vtpm()) throw new RecipeException("measure.vtpm: the vm has no vTPM; give it vtpm true");
            request = new VtpmMeasurement.Request(Path.of(vm.firmware()), path(vm.vars()), ctx.path("uefiConfig"), path(vm.uki()), ctx.flag("espChain"),
                    ctx.flag("secureBoot"), path(vm.bootDisk()), ctx.path("referenceLog"), ctx.path("profile"), vm.memoryMiB() + "M", vm.cpus(), (String) ctx.option("qemuVersion"));
        } else {
            request = new VtpmMeasurement.Request(ctx.path("firmwareCode"), ctx.path("firmwareVars"), ctx.path("uefiConfig"), ctx.path("uki"),
                    ctx.flag("espChain"), ctx.flag("secureBoot"), ctx.path("bootDisk"), ctx.path("referenceLog"), ctx.path("profile"), (String) ctx.option("memory"), cpus(ctx),
                    (String) ctx.option("qemuVersion"));
        }
        VtpmMeasurement.Result r = VtpmMeasurement.run(request, ctx.tools());
        AtomicFiles.write(ctx.output("expected"), r.json());
        VtpmPrediction p = r.prediction();
        ctx.value("pcr7", p.pcrHex(7, HashAlg.SHA256));
        for (int i = 0; i < VtpmPrediction.PCRS; i++)
            ctx.log("pcr" + i + " " + (p.pcrHex(i, HashAlg.SHA256) != null ? p.pcrHex(i, HashAlg.SHA256) : "not computed: " + String.join("; ", p.missing().get(i))));
    }
}
