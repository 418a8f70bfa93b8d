package dev.sealwright.measure.tdx;

import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.acpi.AcpiBuild;
import dev.sealwright.measure.acpi.AcpiMachine;
import dev.sealwright.measure.uki.StubMeasurements;
import dev.sealwright.uefi.OvmfBootOptions;
import dev.sealwright.vm.MachineTopology;
import dev.sealwright.vm.PciDevice;
import dev.sealwright.vm.Tee;
import dev.sealwright.vm.VmSpec;

import dev.sealwright.measure.event.UefiGptData;

import dev.sealwright.base.InputFiles;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * What a TDX prediction is computed from. {@code acpi} is null when the ACPI blobs are not known;
 * {@code kernel} is a bzImage for direct boot, or a UKI when {@code uki} is true: a mapping of the file
 * ({@link InputFiles#map}), read only with absolute indices, since threads hash parts of it at once. {@code stubVersion}
 * overrides the systemd-stub version read from the UKI (null: read it from .sdmagic). {@code esp} is
 * null for direct boot (-kernel) and describes the boot disk when the UKI boots from an ESP.
 */
public record TdxInputs(byte[] firmware, String firmwareName, long memoryBytes, int cpus, AcpiBlobs acpi,
                        ByteBuffer kernel, String kernelName, boolean uki, byte[] initrd, String cmdline, TdxProfile profile,
                        Integer stubVersion, EspBoot esp) {

    /** Direct boot (-kernel) of the image {@code kernel} (null: firmware only). */
    public TdxInputs(byte[] firmware, String firmwareName, long memoryBytes, int cpus, AcpiBlobs acpi,
                     byte[] kernel, String kernelName, boolean uki, byte[] initrd, String cmdline, TdxProfile profile,
                     Integer stubVersion) {
        this(firmware, firmwareName, memoryBytes, cpus, acpi, kernel == null ? null : ByteBuffer.wrap(kernel), kernelName, uki, initrd, cmdline,
                profile, stubVersion, null);
    }

    /**
     * A UKI booted by OVMF's boot manager from the EFI System Partition of a GPT disk: the disk's
     * UEFI_GPT_DATA (what firmware measures before the image), where it came from, and the disk's PCI
     * path in the VM (root-bus node first) and how many other virtio disks the VM has, or a null path
     * when the VM's device list is not known.
     */
    public record EspBoot(byte[] gptData, String source, List<OvmfBootOptions.Pci> pciPath, int otherDisks) {}

    /**
     * Where the ESP disk of a UKI boot sits in {@code topology}: its virtio disk with the lowest boot index
     * (the TD shape's disk 0), on the root bus or behind a root port there; null without a topology.
     */
    static int otherDisks(MachineTopology topology) {
        return topology == null ? 0 : topology.disks() - 1;
    }

    static List<OvmfBootOptions.Pci> espPath(MachineTopology topology) {
        if (topology == null) return null;
        PciDevice disk = topology.of(PciDevice.Kind.VIRTIO_BLK).stream().filter(d -> d.bootIndex() != null)
                .min(Comparator.comparingInt(PciDevice::bootIndex))
                .orElseThrow(() -> new RecipeException("measure tdx: the VM's topology has no disk with a boot index for the UKI's ESP"));
        OvmfBootOptions.Pci node = new OvmfBootOptions.Pci(disk.slot(), disk.function());
        if (disk.bus().equals(PciDevice.ROOT_BUS)) return List.of(node);
        PciDevice port = topology.of(PciDevice.Kind.ROOT_PORT).stream().filter(p -> p.id().equals(disk.bus()) && p.bus().equals(PciDevice.ROOT_BUS))
                .findFirst().orElseThrow(() -> new RecipeException("measure tdx: the ESP disk's bus " + disk.bus() + " is not a root port on " + PciDevice.ROOT_BUS));
        return List.of(new OvmfBootOptions.Pci(port.slot(), port.function()), node);
    }

    /** The three fw_cfg files OVMF measures, as captured from the target (raw, before loader patching). */
    public record AcpiBlobs(byte[] tableLoader, byte[] rsdp, byte[] tables) {
        /** {@code table-loader}, {@code rsdp} and {@code tables} from a directory (as dumped from /sys/firmware/qemu_fw_cfg). */
        public static AcpiBlobs fromDirectory(Path dir) {
            return new AcpiBlobs(read(dir.resolve("table-loader"), ACPI_BOUND), read(dir.resolve("rsdp"), ACPI_BOUND), read(dir.resolve("tables"), ACPI_BOUND));
        }

        /**
         * The blobs the profile's QEMU builds for a TD with this topology, vCPUs and RAM, or null when
         * the profile's ACPI build is not modelled.
         */
        public static AcpiBlobs generate(TdxProfile profile, MachineTopology topology, int cpus, long memoryBytes) {
            if (profile.acpi() == null) return null;
            AcpiBuild.Files f = AcpiBuild.build(AcpiMachine.of(topology, cpus, memoryBytes), profile.acpi());
            return new AcpiBlobs(f.tableLoader(), f.rsdp(), f.tables());
        }
    }

    /** Only the firmware: MRTD, and the RTMR0 events that do not depend on the boot path. */
    public static TdxInputs firmwareOnly(Path firmware, long memoryBytes, int cpus, AcpiBlobs acpi, TdxProfile profile) {
        return new TdxInputs(read(firmware, FIRMWARE_BOUND), firmware.toString(), memoryBytes, cpus, acpi, null, null, false, null, null, profile, null, null);
    }

    /**
     * The inputs of the VM that {@code vm} launches (the same {@link VmSpec} the launch verb and step
     * boot), so prediction and launch cannot drift. A {@code kernel} that is a UKI (a PE image with a
     * {@code .linux} section) is a direct UKI boot; a {@code uki} boots from the ESP of the disk the launch
     * writes. Refused with one line: SNP VMs, pflash code + vars (a TD loads one combined image) and
     * -append/-initrd next to a UKI (not modelled).
     */
    public static TdxInputs fromVm(VmSpec vm, AcpiBlobs acpi, TdxProfile profile, Integer stubVersion) {
        return fromVm(vm, acpi, profile, stubVersion, null);
    }

    /**
     * As {@link #fromVm(VmSpec, AcpiBlobs, TdxProfile, Integer)}; a VM with a {@code uki} boots it from
     * an ESP: its GPT is read from {@code bootDisk} when given, else from the partition table of the
     * ESP disk the launch writes for that UKI (computed by {@code disk.gpt.EspLayout}).
     */
    public static TdxInputs fromVm(VmSpec vm, AcpiBlobs acpi, TdxProfile profile, Integer stubVersion, Path bootDisk) {
        if (vm.tee() == Tee.SNP) throw new RecipeException("measure tdx: the VM's tee is snp; use measure snp");
        if (vm.vars() != null)
            throw new RecipeException("measure tdx: vm vars " + vm.vars() + ": a TD loads one combined firmware image (OVMF.fd) with -bios, not code + vars");
        if (vm.uki() != null) return espBoot(vm, acpi, profile, stubVersion, bootDisk);
        if (bootDisk != null) throw new RecipeException("measure tdx: a boot disk goes with a UKI booted from an ESP (uki), not with direct boot (kernel)");
        ByteBuffer kernel = InputFiles.map(Path.of(vm.kernel()), KERNEL_BOUND);
        boolean uki = StubMeasurements.isUki(kernel);
        if (uki && (vm.initrd() != null || vm.cmdline() != null))
            throw new RecipeException("not implemented in this build: an initrd or cmdline next to a UKI kernel (" + vm.kernel() + "); the UKI carries its own");
        return new TdxInputs(read(Path.of(vm.firmware()), FIRMWARE_BOUND), vm.firmware(), vm.memoryMiB() << 20, vm.cpus(), acpi, kernel, vm.kernel(), uki,
                vm.initrd() == null ? null : read(Path.of(vm.initrd()), INITRD_BOUND), vm.cmdline(), profile, stubVersion, null);
    }

    private static TdxInputs espBoot(VmSpec vm, AcpiBlobs acpi, TdxProfile profile, Integer stubVersion, Path bootDisk) {
        Path uki = Path.of(vm.uki());
        ByteBuffer image = InputFiles.map(uki, KERNEL_BOUND);
        if (!StubMeasurements.isUki(image)) throw new RecipeException(vm.uki() + ": not a UKI (no .linux section)");
        EspBoot esp;
        if (bootDisk != null) {
            esp = new EspBoot(UefiGptData.read(bootDisk), bootDisk.toString(), espPath(vm.topology()), otherDisks(vm.topology()));
        } else {
            esp = new EspBoot(UefiGptData.ofLaunchEsp(image.capacity(), vm.uki()),
                    "the ESP disk sealwright launch writes for " + uki.getFileName(), espPath(vm.topology()), otherDisks(vm.topology()));
        }
        return new TdxInputs(read(Path.of(vm.firmware()), FIRMWARE_BOUND), vm.firmware(), vm.memoryMiB() << 20, vm.cpus(), acpi, image, vm.uki(), true,
                null, null, profile, stubVersion, esp);
    }

    /** A TDVF build (OVMF.fd) is 4 MiB; a flash is at most 64 MiB. */
    public static final InputFiles.Bound FIRMWARE_BOUND = new InputFiles.Bound("a TDVF firmware image", 64 << 20);
    /** A bzImage or UKI. */
    public static final InputFiles.Bound KERNEL_BOUND = new InputFiles.Bound("a kernel or UKI", 512 << 20);
    /** An initrd, hashed whole. */
    public static final InputFiles.Bound INITRD_BOUND = new InputFiles.Bound("an initrd", 1 << 30);
    /** An fw_cfg ACPI blob (table-loader, rsdp, tables). */
    public static final InputFiles.Bound ACPI_BOUND = new InputFiles.Bound("an fw_cfg ACPI blob", 16 << 20);

    private static byte[] read(Path file, InputFiles.Bound bound) {
        return InputFiles.read(file, bound);
    }
}
