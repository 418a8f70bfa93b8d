package dev.sealwright.measure.vtpm;

import dev.sealwright.image.pe.PeFile;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.measure.event.EventLog;
import dev.sealwright.measure.event.EventLogFiles;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.uefi.FirmwareBuild;
import dev.sealwright.vm.VmSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Cached step {@code measure.vtpm}: the same prediction as {@code sealwright measure vtpm}, written to
 * {@code expected.json} (sha256/sha384 PCR values, missing, events), the {@code pcrValues} input of
 * {@code tpmSeal}. Option names match the CLI flags.
 */
public final class MeasureVtpmStep implements StepType {
    @Override public String name() { return "measure.vtpm"; }
    @Override public int version() { return 3; }
    @Override public String description() { return "predict vTPM PCRs 0-15 of an OVMF + swtpm boot of a systemd-stub UKI"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("firmwareCode", Input.class, "OVMF code file"),
                OptionSpec.optional("firmwareVars", Input.class, null, "OVMF vars file the VM starts from"),
                OptionSpec.optional("uefiConfig", Input.class, null, "uefi-config.json instead of a vars file"),
                OptionSpec.required("uki", Input.class, "the UKI booted from the ESP"),
                OptionSpec.optional("secureBoot", Boolean.class, false, "Secure Boot is enforced"),
                OptionSpec.optional("bootDisk", Input.class, null, "the boot disk image (its GPT goes into PCR 5; default: the disk launch writes for the UKI, unless referenceLog)"),
                OptionSpec.optional("referenceLog", Input.class, null, "TPM log of the same firmware and VM: PCR 0, 1 (and 5) events instead of computed ones"),
                OptionSpec.optional("memory", String.class, "512M", "the VM's memory, as for launch (PCR 0)"),
                OptionSpec.optional("cpus", Long.class, 1L, "the VM's vCPUs, as for launch (PCR 0)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("expected", "expected.json", "predicted PCR values and events"),
                OutputSpec.value("pcr7", "predicted sha256 PCR 7 (hex)"));
    }

    private static int cpus(StepContext ctx) {
        Object o = ctx.option("cpus");
        int n = o instanceof Number num ? num.intValue() : 1;
        if (n < 1 || n > 255) throw new RecipeException("measure.vtpm: cpus " + n + " is not in 1..255");
        return n;
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        if ((ctx.option("firmwareVars") == null) == (ctx.option("uefiConfig") == null))
            throw new RecipeException("measure.vtpm: give firmwareVars or uefiConfig, exactly one");
        boolean secureBoot = ctx.flag("secureBoot");
        Path code = ctx.path("firmwareCode");
        VtpmVariables vars = ctx.option("firmwareVars") != null ? VtpmVariables.fromVarsFile(ctx.path("firmwareVars"))
                : VtpmVariables.fromUefiConfig(ctx.path("uefiConfig"));
        vars.check(code, secureBoot);
        FirmwareBuild firmware = FirmwareBuild.identify(code);
        EventLog ref = null;
        Path refFile = ctx.option("referenceLog") != null ? ctx.path("referenceLog") : null;
        if (refFile != null) ref = EventLogFiles.read(refFile, LogKind.TPM_EVENT_LOG);
        Path uki = ctx.path("uki");
        byte[] ukiBytes = InputFiles.read(uki, PeFile.FILE_BOUND);
        Path disk = ctx.option("bootDisk") != null ? ctx.path("bootDisk") : null;
        VtpmPrediction p = VtpmPrediction.predict(new VtpmInputs(ukiBytes, uki.getFileName().toString(), vars.config(), vars.source(), secureBoot,
                VtpmInputs.BootGpt.of(disk, ref, ukiBytes.length, uki), ref, refFile == null ? null : refFile.toString(), firmware)
                .withPlatform(new VtpmInputs.Platform(InputFiles.read(code, FirmwareBuild.FILE_BOUND), code.getFileName().toString(),
                        VmSpec.parseMemory(String.valueOf(ctx.option("memory"))) << 20, cpus(ctx), vars)));
        AtomicFiles.write(ctx.output("expected"), Json.pretty(VtpmPredictionJson.document(p)).getBytes(StandardCharsets.UTF_8));
        ctx.value("pcr7", p.pcrHex(7, HashAlg.SHA256));
        for (int i = 0; i < VtpmPrediction.PCRS; i++)
            ctx.log("pcr" + i + " " + (p.pcrHex(i, HashAlg.SHA256) != null ? p.pcrHex(i, HashAlg.SHA256) : "not computed: " + String.join("; ", p.missing().get(i))));
    }
}
