package dev.sealwright.measure.acpi;

import dev.sealwright.base.RecipeException;
import dev.sealwright.vm.MachineTopology;

/**
 * A q35 machine as QEMU's ACPI build sees it: vCPUs, RAM, the PCI devices on the root bus, the
 * firmware's 64-bit PCI aperture. Only the shape of quex's TD (libvirt on Ubuntu 24.04, QEMU 8.2) is
 * modelled: one virtio-net at 00:01.0 and {@code disks} virtio disks, each behind a pcie-root-port at
 * 00:02.0, 00:02.1, ... (libvirt's slot order, plus one spare root port); no USB, no HPET, no i8042,
 * no SMM, split irqchip.
 *
 * @param cpus     vCPUs (= max CPUs: no hotplug headroom)
 * @param ramBytes guest RAM
 * @param disks    virtio disks, each behind its own root port
 */
public record AcpiMachine(int cpus, long ramBytes, int disks) {
    /** The largest vCPU count the MADT model covers (xAPIC ids fit one byte). */
    public static final int MAX_CPUS = 255;
    public static final int MAX_DISKS = 8;

    public AcpiMachine {
        if (cpus < 1 || cpus > MAX_CPUS) throw new RecipeException("acpi: cpus " + cpus + " is not in 1.." + MAX_CPUS + " (x2APIC tables are not modelled)");
        if (ramBytes <= 0) throw new RecipeException("acpi: memory must be positive");
        if (disks < 0 || disks > MAX_DISKS) throw new RecipeException("acpi: disks " + disks + " is not in 0.." + MAX_DISKS);
    }

    /**
     * The machine of a VM with this topology; refused with one line unless it is the modelled shape
     * ({@link MachineTopology#ubuntu2404Td(int)}).
     */
    public static AcpiMachine of(MachineTopology topology, int cpus, long ramBytes) {
        if (!topology.isUbuntu2404Td())
            throw new RecipeException("acpi: the VM's machine topology is not the ubuntu-24.04 TD shape, the only one whose tables are modelled; pass --acpi DIR with tables captured from the target");
        return new AcpiMachine(cpus, ramBytes, topology.disks());
    }

    /** RAM below 4 GiB on q35 (pc_q35_init): all of it below 2816 MiB, else 2 GiB. Also the start of the 32-bit PCI hole. */
    public long belowFourGiB() {
        return belowFourGiB(ramBytes);
    }

    /** The q35 RAM split: {@code ram_size >= 0xB0000000} puts 2 GiB below 4 GiB, else all of it. */
    public static long belowFourGiB(long ramBytes) {
        return ramBytes >= 0xb000_0000L ? 0x8000_0000L : ramBytes;
    }

    /** Root ports libvirt adds: one per disk plus a spare, none without disks. */
    public int rootPorts() {
        return disks == 0 ? 0 : disks + 1;
    }

    /** PCI address (slot &lt;&lt; 16 | function) of root port {@code i}: 00:02.0 .. 00:02.7, then 00:03.0. */
    public static int rootPortAddress(int i) {
        return ((2 + i / 8) << 16) | (i % 8);
    }
}
