package dev.sealwright.measure.vtpm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.measure.shim.ShimBinary;
import dev.sealwright.measure.uki.StubMeasurements;
import dev.sealwright.measure.uki.StubVersion;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.measure.event.Registers;
import dev.sealwright.measure.event.UefiVariableData;
import dev.sealwright.uefi.OvmfBootOptions;
import dev.sealwright.uefi.OvmfPcr01Layout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Predicted TPM events (in the order OVMF, systemd-stub and the kernel's EFI stub log them) and, per
 * PCR 0..15, either its value or the reasons this build cannot compute it. A PCR with a missing event
 * is never given a value.
 */
public record VtpmPrediction(List<BootEvent> events, Map<Integer, List<String>> missing) {
    public static final int PCRS = 16;
    /** PCRs whose OVMF events cannot be computed from files (5: without the boot disk) and are taken from a reference log. */
    static final Set<Integer> FROM_REFERENCE = Set.of(0, 1, 5);
    /** sealwright launch adds the ESP disk first, so QEMU places it in the first free root-bus slot, 00:01.0. */
    static final int LAUNCH_ESP_PCI_DEVICE = 1;
    static final String EXIT_BOOT_SERVICES = "Exit Boot Services Invocation";
    static final String EXIT_BOOT_SERVICES_OK = "Exit Boot Services Returned with Success";

    public VtpmPrediction {
        events = List.copyOf(events);
    }

    public static VtpmPrediction predict(VtpmInputs in) {
        PeFile uki = PeFile.read(in.uki(), in.ukiName());
        if (in.shim() == null && uki.section(".linux") == null) {
            if (ShimBinary.isShim(uki, in.uki()))
                throw new RecipeException(in.ukiName() + ": is shim, not a UKI; predict the shim → GRUB → kernel chain from the disk (measure vtpm --esp-chain --boot-disk DISK)");
            throw new RecipeException(in.ukiName() + ": not a UKI (no .linux section)");
        }
        if (in.shim() != null && !in.secureBoot()) throw new RecipeException(in.ukiName() + ": a shim chain is modelled with Secure Boot enforced only");
        Optional<StubVersion> stub = in.shim() == null ? StubVersion.detect(uki) : Optional.empty();
        boolean reproduced = stub.map(StubVersion::verifiedByBoot).orElse(false);
        Map<Integer, List<String>> missing = new TreeMap<>();
        for (int i = 0; i < PCRS; i++) missing.put(i, new ArrayList<>());
        List<BootEvent> ev = new ArrayList<>();

        ev.add(TpmBootEvents.driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, "SecureBoot",
                in.secureBoot() ? new byte[] {1} : in.firmware().secureBootVariable(false)));
        ev.add(TpmBootEvents.driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, "PK", in.variables().pk()));
        ev.add(TpmBootEvents.driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, "KEK", in.variables().kek()));
        ev.add(TpmBootEvents.driverConfig(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "db", in.variables().db()));
        ev.add(TpmBootEvents.driverConfig(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "dbx", in.variables().dbx()));
        ev.add(TpmBootEvents.separator(7));
        Set<Integer> fromReference = in.bootGpt() == null ? FROM_REFERENCE : Set.of(0, 1);
        if (in.referenceLog() != null) {
            for (BootEvent e : in.referenceLog().events()) {
                if (!fromReference.contains((int) e.index())) continue;
                for (HashAlg alg : TpmBootEvents.BANKS)
                    if (e.digests().get(alg) == null)
                        throw new RecipeException(in.referenceLogName() + ": PCR " + e.index() + " event " + e.typeName() + " has no " + alg.label() + " digest");
                ev.add(e);
            }
        } else {
            platformEvents(in, ev, missing);
            if (in.bootGpt() == null)
                missing.get(5).add("the GPT of the boot disk: pass --boot-disk (or --reference-log with a TPM log captured from the same VM configuration)");
        }
        if (!in.variables().omitsReadyToBootEvent()) ev.add(TpmBootEvents.action(4, TpmBootEvents.CALLING_EFI_APPLICATION));
        for (int pcr : new int[] {2, 3, 4, 6}) ev.add(TpmBootEvents.separator(pcr));
        if (in.bootGpt() != null) {
            ev.add(TpmBootEvents.separator(5));
            ev.add(GptEvent.of(in.bootGpt().data(), in.bootGpt().source()));
        }
        if (in.secureBoot()) {
            byte[] entry = SecureBootAuthority.signatureData(in.uki(), in.ukiName(), in.variables().db(), in.variablesSource());
            ev.add(TpmBootEvents.authority(entry, SecureBootAuthority.subject(entry)));
        }
        ev.add(TpmBootEvents.bootApplication(TpmBootEvents.authenticode(in.uki(), in.ukiName()), (in.shim() == null ? "UKI " : "") + in.ukiName()));
        if (in.shim() != null) {
            ev.addAll(in.shim().events(in.variables().db(), in.variablesSource()));
        } else if (!reproduced) {
            String why = "not implemented in this build: the measurements of "
                    + stub.map(StubVersion::toString).orElse("a UKI without systemd-stub LoaderInfo (.sdmagic)") + " (this build reproduces systemd-stub " + StubVersion.VERIFIED_BY_BOOT_TEXT + ")";
            missing.get(11).add(why);
            missing.get(9).add(why);
            if (!in.secureBoot()) missing.get(4).add(why + ": whether it LoadImage()s the inner kernel");
            missing.get(12).add(why);
            missing.get(13).add(why);
        } else {
            for (StubMeasurements.Measurement m : StubMeasurements.sections(uki, stub.get(), in.ukiName()))
                ev.add(TpmBootEvents.measuring(m.pcr(), m.type(), m.measured(), m.eventData(), m.description()));
            // Observed with stubs 252 and 257: without Secure Boot they start the kernel through LoadImage (logged in
            // PCR 4); under Secure Boot (252, 254, 257) the firmware logs no event for it (see StubVersion).
            if (!in.secureBoot() && stub.get().kernelThroughLoadImage())
                ev.add(TpmBootEvents.bootApplication(TpmBootEvents.authenticode(StubMeasurements.innerKernel(uki, in.ukiName()), in.ukiName() + " .linux"),
                        "inner kernel (.linux)"));
            if (uki.section(".cmdline") == null) ev.add(TpmBootEvents.loadOptions(""));
            else if (StubMeasurements.commandLine(uki) != null) ev.add(TpmBootEvents.loadOptions(StubMeasurements.commandLine(uki)));
            else missing.get(9).add("not implemented in this build: a .cmdline with control characters or trailing whitespace (stub versions rewrite it differently)");
            byte[] initrd = StubMeasurements.initrd(uki, stub.get());
            if (initrd != null) ev.add(TpmBootEvents.initrd(initrd));
        }
        if (in.bootGpt() != null) {
            ev.add(TpmBootEvents.action(5, EXIT_BOOT_SERVICES));
            ev.add(TpmBootEvents.action(5, EXIT_BOOT_SERVICES_OK));
        }
        missing.get(10).add("the running kernel's IMA extends it (not a boot-time measurement)");
        return new VtpmPrediction(ev, missing);
    }

    /** PCR 0 and 1 from the firmware image and the VM's shape (OvmfFirmwareEvents, OvmfBootOptions), or the reason they cannot be. */
    private static void platformEvents(VtpmInputs in, List<BootEvent> ev, Map<Integer, List<String>> missing) {
        String unknown = in.platform() == null ? "the firmware image and VM shape were not given (pass --reference-log with a TPM log captured from the same VM configuration)"
                : in.shim() != null && in.shim().fallback() ? in.shim().source() + " holds shim's fallback (\\EFI\\BOOT\\fbx64.efi), which creates boot options and resets the VM: the boot variables after it are not modelled; pass --reference-log"
                : in.firmware() == null ? "the firmware build is not identified"
                : in.firmware().pcr01Unmodelled();
        if (unknown != null) {
            missing.get(0).add(unknown);
            missing.get(1).add(unknown);
            return;
        }
        OvmfPcr01Layout layout = in.firmware().pcr01();
        VtpmInputs.Platform p = in.platform();
        if (layout.smm() && !p.variables().varsFile())
            missing.get(0).add(in.firmware() + " raises PEIFV's memory-type table from the vars file's MemoryTypeInformation before measuring it: pass the vars file, not " + p.variables().source());
        else
            ev.addAll(OvmfFirmwareEvents.pcr0(layout, p.code(), p.codeName(), p.memoryBytes(), p.cpus(), p.variables().memoryTypeInformation()));
        ev.add(TpmBootEvents.separator(0));
        for (OvmfBootOptions.BootVariable v : OvmfBootOptions.virtioDisk(LAUNCH_ESP_PCI_DEVICE, in.firmware().bootOptions().internalShell()))
            ev.add(TpmBootEvents.bootVariable(v.name(), v.value()));
        ev.add(TpmBootEvents.separator(1));
    }

    /** PCR value (hex) in {@code alg}, or null when some of its events are missing. */
    public String pcrHex(int pcr, HashAlg alg) {
        if (!missing.get(pcr).isEmpty()) return null;
        return Registers.replay(LogKind.TPM_EVENT_LOG, events, alg).hex(pcr);
    }
}
