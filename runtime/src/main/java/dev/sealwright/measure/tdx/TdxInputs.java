package dev.sealwright.measure.tdx;

import dev.sealwright.engine.RecipeException;
import dev.sealwright.measure.uki.StubMeasurements;
import dev.sealwright.vm.Tee;
import dev.sealwright.vm.VmSpec;

import java.nio.file.Path;

/**
 * What a TDX prediction is computed from. {@code acpi} is null when the ACPI blobs are not known;
 * {@code kernel} is a bzImage for direct boot, or a UKI when {@code uki} is true. {@code stubVersion}
 * overrides the systemd-stub version read from the UKI (null: read it from .sdmagic).
 */
public record TdxInputs(byte[] firmware, String firmwareName, long memoryBytes, int cpus, AcpiBlobs acpi,
                        byte[] kernel, String kernelName, boolean uki, byte[] initrd, String cmdline, TdxProfile profile,
                        Integer stubVersion) {

    /** The three fw_cfg files OVMF measures, as captured from the target (raw, before loader patching). */
    public record AcpiBlobs(byte[] tableLoader, byte[] rsdp, byte[] tables) {
        /** {@code table-loader}, {@code rsdp} and {@code tables} from a directory (as dumped from /sys/firmware/qemu_fw_cfg). */
        public static AcpiBlobs fromDirectory(Path dir) {
            return new AcpiBlobs(read(dir.resolve("table-loader")), read(dir.resolve("rsdp")), read(dir.resolve("tables")));
        }
    }

    /** Only the firmware: MRTD, and the RTMR0 events that do not depend on the boot path. */
    public static TdxInputs firmwareOnly(Path firmware, long memoryBytes, int cpus, AcpiBlobs acpi, TdxProfile profile) {
        return new TdxInputs(read(firmware), firmware.toString(), memoryBytes, cpus, acpi, null, null, false, null, null, profile, null);
    }

    /**
     * The inputs of the VM that {@code vm} launches (the same {@link VmSpec} the launch verb and step
     * boot), so prediction and launch cannot drift. A {@code kernel} that is a UKI (a PE image with a
     * {@code .linux} section) is a direct UKI boot. Refused with one line: SNP VMs, pflash code + vars
     * (a TD loads one combined image), ESP boot of a UKI and -append/-initrd next to a UKI (not modelled).
     */
    public static TdxInputs fromVm(VmSpec vm, AcpiBlobs acpi, TdxProfile profile, Integer stubVersion) {
        if (vm.tee() == Tee.SNP) throw new RecipeException("measure tdx: the VM's tee is snp; use measure snp");
        if (vm.vars() != null)
            throw new RecipeException("measure tdx: vm vars " + vm.vars() + ": a TD loads one combined firmware image (OVMF.fd) with -bios, not code + vars");
        if (vm.uki() != null)
            throw new RecipeException("not implemented in this build: predicting the ESP boot of a UKI (vm uki " + vm.uki()
                    + "); give it as the kernel to predict its direct boot");
        byte[] kernel = read(Path.of(vm.kernel()));
        boolean uki = StubMeasurements.isUki(kernel);
        if (uki && (vm.initrd() != null || vm.cmdline() != null))
            throw new RecipeException("not implemented in this build: an initrd or cmdline next to a UKI kernel (" + vm.kernel() + "); the UKI carries its own");
        return new TdxInputs(read(Path.of(vm.firmware())), vm.firmware(), vm.memoryMiB() << 20, vm.cpus(), acpi, kernel, vm.kernel(), uki,
                vm.initrd() == null ? null : read(Path.of(vm.initrd())), vm.cmdline(), profile, stubVersion);
    }

    private static byte[] read(Path file) {
        return dev.sealwright.engine.InputFiles.read(file);
    }
}
