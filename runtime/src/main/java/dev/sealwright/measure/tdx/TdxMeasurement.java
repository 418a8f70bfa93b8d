package dev.sealwright.measure.tdx;

import dev.sealwright.base.BadValueException;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.capture.CapturedProfile;
import dev.sealwright.vm.MachineTopology;
import dev.sealwright.vm.Tee;
import dev.sealwright.vm.VmSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one TDX prediction operation: {@code sealwright measure tdx} and the {@code measure.tdx} step both
 * build a {@link Request} and call {@link #run}; the defaults live here and nowhere else.
 */
public final class TdxMeasurement {
    private TdxMeasurement() {}

    public static final String DEFAULT_PROFILE = "qemu-10";

    /**
     * What a prediction depends on. Null means the default: {@code cpus} 1, {@code memory} 512M, {@code profile}
     * qemu-10, {@code disks} 0, {@code tee} tdx; {@code secureBoot}/{@code kernelPatch} null keep the profile's.
     * Without {@code kernel} and {@code uki} only the firmware is measured.
     */
    public record Request(Path firmware, Path vars, Path kernel, Path initrd, String cmdline, Path uki, Path bootDisk,
                          Integer cpus, String memory, String tee, String profile, String secureBoot, String kernelPatch,
                          Integer disks, Path acpi, Integer stubVersion) {
        public int cpusOrDefault() { return cpus == null ? VmSpec.DEFAULT_CPUS : cpus; }
        public String memoryOrDefault() { return memory == null ? VmSpec.DEFAULT_MEMORY : memory; }
        public String profileOrDefault() { return profile == null ? DEFAULT_PROFILE : profile; }
    }

    /**
     * The prediction, the profile it used, the captured profile file whose tables it used (or null), the
     * VmSpec it describes (null for firmware only); its JSON document is built when asked for (Jackson is not loaded
     * by a command that prints the registers alone).
     */
    public record Result(TdxPrediction prediction, TdxProfile profile, CapturedProfile captured, VmSpec vm) {
        /** The JSON document (a new mutable map on each call). */
        public Map<String, Object> document() { return TdxPredictionJson.document(prediction, profile, vm); }

        /** expected.json / {@code --json} / {@code --eventlog}: the same bytes everywhere. */
        public byte[] json() { return Json.pretty(document()).getBytes(StandardCharsets.UTF_8); }
    }

    /** What a prediction depends on besides the VM: the host stack and the boot disk / stub facts. Null keeps the default. */
    public record Host(String profile, String secureBoot, String kernelPatch, Path acpi, Path bootDisk, Integer stubVersion) {
        public String profileOrDefault() { return profile == null ? DEFAULT_PROFILE : profile; }
    }

    /** The flat request (CLI flags, the step's own options): its VM is built here, once, and predicted as {@link #run(VmSpec, Host)} does. */
    public static Result run(Request r) {
        if (r.firmware() == null) throw new RecipeException("measure tdx: the firmware (the combined OVMF.fd a TD loads) is required");
        Host host = new Host(r.profile(), r.secureBoot(), r.kernelPatch(), r.acpi(), r.bootDisk(), r.stubVersion());
        long memoryMiB = VmSpec.parseMemory(r.memoryOrDefault());
        int cpus = r.cpusOrDefault();
        // an ESP boot's UKI sits on the TD's first virtio disk (boot index 1, behind the first root port), before the --disks data disks
        int disks = (r.disks() == null ? 0 : r.disks()) + (r.uki() != null ? 1 : 0);
        if (r.kernel() == null && r.uki() == null) {
            if (r.initrd() != null || r.cmdline() != null) throw new RecipeException("measure tdx: initrd and cmdline go with kernel");
            if (r.bootDisk() != null) throw new RecipeException("measure tdx: a boot disk goes with a uki");
            return predict(r.firmware(), null, cpus, memoryMiB, disks, host);
        }
        Tee tee = r.tee() != null ? Tee.parse(r.tee()) : Tee.TDX;
        VmSpec vm = VmSpec.builder().firmware(r.firmware()).vars(r.vars()).kernel(r.kernel()).initrd(r.initrd()).cmdline(r.cmdline())
                .uki(r.uki()).cpus(cpus).memoryMiB(memoryMiB).tee(tee).build();
        return predict(r.firmware(), vm, cpus, memoryMiB, disks, host);
    }

    /**
     * The prediction for the VM {@code vm} describes, the one {@code launch} boots from the same value: its vCPUs, memory and
     * disks (an ESP boot's UKI disk first); its device topology when it has one, else the profile's TD shape (recorded in the
     * result's VmSpec).
     */
    public static Result run(VmSpec vm, Host host) {
        int disks = vm.topology() != null ? vm.topology().disks() : vm.disks().size() + (vm.uki() != null ? 1 : 0);
        return predict(Path.of(vm.firmware()), vm, vm.cpus(), vm.memoryMiB(), disks, host);
    }

    private static Result predict(Path firmware, VmSpec vm, int cpus, long memoryMiB, int disks, Host h) {
        CapturedProfile captured = null;
        if (CapturedProfile.isFile(h.profileOrDefault())) {     // a profile file written by measure capture
            Path file = Path.of(h.profileOrDefault());
            InputFiles.requireFile(file, "profile");
            if (h.acpi() != null) throw new RecipeException("measure tdx: acpi and a captured profile file both give the ACPI tables; pass one");
            captured = CapturedProfile.read(file);
            captured.requireShape(cpus, memoryMiB, disks, file.toString());
        }
        TdxProfile profile = TdxProfile.named(captured != null ? captured.base() : h.profileOrDefault());
        if (h.secureBoot() != null) profile = profile.withSecureBoot(TdxProfile.SecureBootMeasurement.parse(h.secureBoot()));
        if (h.kernelPatch() != null) profile = profile.withKernelPatch(TdxProfile.KernelHeaderPatch.parse(h.kernelPatch()));
        boolean esp = vm != null && vm.uki() != null;
        if ((profile.acpi() != null || captured != null) && esp && vm.topology() == null && disks > 8)
            throw new BadValueException("disks", "measure tdx: --disks " + (disks - 1) + " and the ESP disk of --uki make " + disks
                    + " virtio disks; the ubuntu-24.04 TD shape has 0..8");
        MachineTopology topology = vm != null && vm.topology() != null ? vm.topology()
                : profile.acpi() == null && captured == null ? null : MachineTopology.ubuntu2404Td(disks);
        TdxInputs.AcpiBlobs acpi;
        if (h.acpi() != null) {
            InputFiles.requireDirectory(h.acpi(), "acpi");
            acpi = TdxInputs.AcpiBlobs.fromDirectory(h.acpi());
        } else if (captured != null) {
            acpi = new TdxInputs.AcpiBlobs(captured.tableLoader(), captured.rsdp(), captured.tables());
        } else {
            acpi = topology == null ? null : TdxInputs.AcpiBlobs.generate(profile, topology, cpus, memoryMiB << 20);
        }
        TdxInputs in;
        if (vm == null) {
            in = TdxInputs.firmwareOnly(firmware, memoryMiB << 20, cpus, acpi, profile);
        } else {
            if (vm.tee() == Tee.TDX && vm.topology() == null && topology != null) vm = vm.toBuilder().topology(topology).build();
            in = TdxInputs.fromVm(vm, acpi, profile, h.stubVersion(), h.bootDisk());
        }
        TdxPrediction p;
        try {
            p = TdxPrediction.predict(in);
            if (in.kernel() != null) InputFiles.requireIntact(Path.of(in.kernelName()), in.kernel());
        } catch (InternalError e) {   // the kernel or UKI is mapped, and was cut meanwhile
            throw InputFiles.changedWhileMapped(in.kernelName(), e);
        }
        return new Result(p, profile, captured, vm);
    }
}
