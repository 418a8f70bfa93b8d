package dev.sealwright.measure.acpi;

import dev.sealwright.engine.RecipeException;

import java.util.List;
import java.util.stream.IntStream;

/**
 * What differs between the QEMU versions (and host patches) whose q35 ACPI build is modelled: data,
 * not copies of the builder.
 *
 * @param name               the QEMU version it models
 * @param madtRevision       MADT revision
 * @param oscControlMask     the _OSC control bits PCI0 grants (0x1F: native PCIe hotplug, as with
 *                           {@code ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off})
 * @param legacyIrqOverrides ISA IRQs given an interrupt source override besides IRQ 0
 * @param legacyIrqFlags     MPS INTI flags of those overrides
 * @param irq0Flags          MPS INTI flags of the IRQ 0 → GSI 2 override
 * @param pci64Base          where the firmware places the 64-bit PCI aperture
 */
public record QemuAcpiModel(String name, int madtRevision, int oscControlMask, int[] legacyIrqOverrides, int legacyIrqFlags, int irq0Flags,
                            long pci64Base) {

    /**
     * Canonical's QEMU 8.2 for TDX (Ubuntu 24.04) as libvirt launches quex's domain: every ISA IRQ
     * 0..15 overridden edge/active-high (a TD has no level-triggered I/O APIC pins), native PCIe
     * hotplug, OVMF's 64-bit aperture at 0x380000000000.
     */
    public static final QemuAcpiModel QEMU_8_2_TDX = new QemuAcpiModel("8.2 (Canonical TDX)", 3, 0x1f,
            IntStream.rangeClosed(1, 15).toArray(), 0x0005, 0x0005, 0x3800_0000_0000L);

    public static final List<QemuAcpiModel> ALL = List.of(QEMU_8_2_TDX);

    public static QemuAcpiModel named(String name) {
        for (QemuAcpiModel m : ALL) if (m.name.startsWith(name)) return m;
        throw new RecipeException("no ACPI model for QEMU " + name + " (modelled: 8.2 for TDX)");
    }

    /**
     * Size of the 64-bit window in PCI0's _CRS: OVMF's 32 GiB default aperture for the root bus, and
     * per disk one more 32 GiB root-port window plus 16 KiB, as the TD's OVMF assigns them (the
     * shape quex's tables carry; not yet checked against a real TD).
     */
    public long pci64Size(AcpiMachine m) {
        long gib32 = 32L << 30;
        return gib32 + (m.disks() == 0 ? 0 : 0x4000 + gib32 * m.disks());
    }
}
