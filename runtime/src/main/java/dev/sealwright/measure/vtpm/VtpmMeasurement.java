package dev.sealwright.measure.vtpm;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.disk.format.RawDisk;
import dev.sealwright.disk.gpt.EspFiles;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.measure.capture.CapturedTpmProfile;
import dev.sealwright.measure.event.EventLog;
import dev.sealwright.measure.event.EventLogFiles;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.tools.Tools;
import dev.sealwright.uefi.FirmwareBuild;
import dev.sealwright.vm.QemuVersion;
import dev.sealwright.vm.VmSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * The one vTPM prediction operation: {@code sealwright measure vtpm} and the {@code measure.vtpm} step
 * both build a {@link Request} and call {@link #run}.
 */
public final class VtpmMeasurement {
    private VtpmMeasurement() {}

    /**
     * Exactly one of {@code firmwareVars} and {@code uefiConfig}; exactly one of {@code uki} and
     * {@code espChain} (the shim → GRUB → kernel chain on the ESP of {@code bootDisk}, Secure Boot enforced).
     * The UKI is named in events and errors by its path as given (a step's inputs are absolute paths).
     * {@code profile}: a {@link CapturedTpmProfile} file ({@code measure capture --vtpm}) whose PCR 0 and 1
     * events replace the computed ones (nothing else), for its firmware, vars template, QEMU release and shape
     * only; at most one of it and {@code referenceLog}. {@code qemuVersion}: the release of the QEMU that will
     * run the VM (e.g. "7.2.22"), checked against the profile's; null: that of {@code qemu-system-x86_64} on
     * the search path, the QEMU launch runs.
     */
    public record Request(Path firmwareCode, Path firmwareVars, Path uefiConfig, Path uki, boolean espChain, boolean secureBoot,
                          Path bootDisk, Path referenceLog, Path profile, String memory, Integer cpus, String qemuVersion) {
        /** The VM's memory and vCPUs (PCR 0: OVMF keeps its memory layout in PEIFV); null: launch's defaults. */
        public Request {
            if (memory == null) memory = VmSpec.DEFAULT_MEMORY;
            if (cpus == null) cpus = VmSpec.DEFAULT_CPUS;
        }
    }

    /** The prediction and its JSON document (expected.json, {@code --json}, {@code --eventlog}). */
    public record Result(VtpmPrediction prediction, Map<String, Object> document) {
        public byte[] json() { return Json.pretty(document).getBytes(StandardCharsets.UTF_8); }
    }

    /** {@code tools} runs mcopy for the ESP chain, and qemu-img for a qcow2 boot disk (raw, VHD or qcow2: {@link RawDisk}). */
    public static Result run(Request r, Tools tools) throws IOException {
        if (r.firmwareCode() == null) throw new RecipeException("measure vtpm: the OVMF code file (firmwareCode) is required");
        if ((r.firmwareVars() == null) == (r.uefiConfig() == null))
            throw new RecipeException("measure vtpm: give the firmware vars or a uefi-config.json, exactly one");
        if ((r.uki() == null) == !r.espChain()) throw new RecipeException("measure vtpm: give a uki or the ESP chain (espChain), exactly one");
        VtpmVariables vars = r.firmwareVars() != null ? VtpmVariables.fromVarsFile(r.firmwareVars()) : VtpmVariables.fromUefiConfig(r.uefiConfig());
        vars.check(r.firmwareCode(), r.secureBoot());
        FirmwareBuild firmware = FirmwareBuild.identify(r.firmwareCode());
        if (r.cpus() < 1 || r.cpus() > 255) throw new RecipeException("measure vtpm: cpus " + r.cpus() + " is not in 1..255");
        byte[] code = InputFiles.read(r.firmwareCode(), FirmwareBuild.FILE_BOUND);
        long memoryMiB = VmSpec.parseMemory(r.memory());
        if (r.profile() != null && r.referenceLog() != null)
            throw new RecipeException("measure vtpm: a captured profile and a reference log both give PCR 0 and 1; pass one");
        if (r.qemuVersion() != null && r.profile() == null)
            throw new RecipeException("measure vtpm: qemuVersion is compared with a captured profile's QEMU release; give it with a profile only");
        if (r.profile() != null && r.espChain())
            throw new RecipeException("measure vtpm: a captured profile holds PCR 0/1 of a UKI boot from launch's ESP disk, not of the ESP chain's VM");
        Path refFile = r.profile() != null ? r.profile() : r.referenceLog();
        EventLog ref;
        if (r.profile() != null) {
            if (r.firmwareVars() == null)
                throw new RecipeException("measure vtpm: a captured profile holds for the vars template it was captured with; give that file (firmwareVars), not a uefi-config.json");
            CapturedTpmProfile captured = CapturedTpmProfile.read(r.profile());
            captured.requireShape(HexFormat.of().formatHex(HashAlg.SHA256.digest(code)), HexFormat.of().formatHex(InputFiles.digest(r.firmwareVars(), "SHA-256")),
                    r.firmwareVars().toString(), qemuVersion(r.qemuVersion(), tools), r.cpus(), memoryMiB, "esp", r.profile().toString());
            ref = captured.eventLog(r.profile().toString());
        } else {
            ref = refFile == null ? null : EventLogFiles.read(refFile, LogKind.TPM_EVENT_LOG);
        }
        if (ref != null && ref.kind() != LogKind.TPM_EVENT_LOG) throw new RecipeException(refFile + ": is a CC event log, not a TPM event log");
        String refName = refFile == null ? null : refFile.toString();
        EventLog pcr5Ref = r.profile() != null ? null : ref;     // a profile gives PCR 0 and 1 only; PCR 5 is still predicted
        VtpmInputs inputs;
        try (RawDisk disk = r.bootDisk() == null ? null : RawDisk.open(r.bootDisk(), tools)) {
            Path raw = disk == null ? null : disk.path();
            if (r.espChain()) {
                if (disk == null) throw new RecipeException("measure vtpm: the ESP chain needs the boot disk whose ESP holds it (bootDisk)");
                if (!r.secureBoot()) throw new RecipeException("measure vtpm: the shim chain is modelled with Secure Boot enforced only (secureBoot)");
                ShimChain chain = ShimChain.fromEsp(EspFiles.open(raw, r.bootDisk().toString(), tools));
                inputs = VtpmInputs.shimChain(chain, firmware, vars.config(), vars.source(), VtpmInputs.BootGpt.of(raw, r.bootDisk(), pcr5Ref, 0, null), ref, refName);
            } else {
                byte[] uki = InputFiles.read(r.uki(), PeFile.FILE_BOUND);
                inputs = new VtpmInputs(uki, r.uki().toString(), vars.config(), vars.source(), r.secureBoot(),
                        VtpmInputs.BootGpt.of(raw, r.bootDisk(), pcr5Ref, uki.length, r.uki()), ref, refName, firmware);
            }
        }
        VtpmInputs.Platform platform = new VtpmInputs.Platform(code, r.firmwareCode().toString(), memoryMiB << 20, r.cpus(), vars);
        VtpmPrediction p = VtpmPrediction.predict(inputs.withPlatform(platform));
        return new Result(p, VtpmPredictionJson.document(p));
    }

    /** The release given, or that of qemu-system-x86_64 on the search path of {@code tools}. */
    private static QemuVersion qemuVersion(String given, Tools tools) {
        if (given != null) {
            try {
                return QemuVersion.parse(given);
            } catch (RecipeException e) {
                throw new RecipeException("measure vtpm: qemuVersion: " + e.getMessage());
            }
        }
        if (tools.locate("qemu-system-x86_64").isEmpty())
            throw new RecipeException("measure vtpm: a captured profile names the QEMU it holds for, and no qemu-system-x86_64 is on the search path to compare; give the VM's QEMU version (--qemu-version)");
        return QemuVersion.parse(tools.exec("qemu-system-x86_64", "--version").timeout(Duration.ofSeconds(30)).run().stdout().lines().findFirst().orElse(""));
    }
}
