package dev.sealwright.measure.acpi;

import dev.sealwright.base.RecipeException;

import java.util.List;
import java.util.stream.IntStream;

/**
 * What differs between the QEMU versions (and host patches, and the firmware that programs the
 * chipset) whose q35 ACPI build is modelled: data, not copies of the builder.
 *
 * @param name               the QEMU version (and setting) it models
 * @param madtRevision       MADT revision
 * @param oscControlMask     the _OSC control bits PCI0 grants (0x1F: native PCIe hotplug, as with
 *                           {@code ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off})
 * @param legacyIrqOverrides ISA IRQs given an interrupt source override besides IRQ 0
 * @param legacyIrqFlags     MPS INTI flags of those overrides
 * @param irq0Flags          MPS INTI flags of the IRQ 0 → GSI 2 override
 * @param edgeLinks          PCI interrupt links (LNKx, GSIx) are edge-triggered (TDX) rather than level
 * @param pci0Adr            PCI0 has {@code _ADR 0} (QEMU before 8.0)
 * @param edsm               PCI0 has the EDSM method (QEMU 8.0 and later)
 * @param bridgeChildren     devices behind root ports are described under them (QEMU 8.0 and later)
 * @param allFunctions       functions other than 0 of a root-bus slot are described (QEMU 8.0 and
 *                           later; 7.2 describes function 0 only)
 * @param sleepStates        _S3 and _S4 are declared (not disabled by the VM)
 * @param mmconfigBase       where the firmware puts PCIEXBAR (MCFG, DRAC, the 32-bit windows)
 * @param pci64Base          where the firmware places the 64-bit PCI aperture
 * @param pci64PerRootPort   the firmware gives each root port of a disk 32 GiB + 16 KiB of aperture
 * @param cpuEjectList       the CPU scan method collects CPUs to eject in CEJL and notifies them after
 *                           the added ones (QEMU 10.0; 7.2 .. 9.2 notify each one while scanning)
 */
public record QemuAcpiModel(String name, int madtRevision, int oscControlMask, int[] legacyIrqOverrides, int legacyIrqFlags, int irq0Flags,
                            boolean edgeLinks, boolean pci0Adr, boolean edsm, boolean bridgeChildren, boolean allFunctions, boolean sleepStates,
                            long mmconfigBase, long pci64Base, boolean pci64PerRootPort, boolean cpuEjectList) {

    /**
     * Canonical's QEMU 8.2 for TDX (Ubuntu 24.04) as libvirt launches quex's domain: every ISA IRQ
     * 0..15 overridden edge/active-high and edge-triggered PCI links (a TD has no level-triggered
     * I/O APIC pins), native PCIe hotplug, no S3/S4, OVMF's PCIEXBAR at 0xE0000000 and 64-bit
     * aperture at 0x380000000000.
     */
    public static final QemuAcpiModel QEMU_8_2_TDX = new QemuAcpiModel("8.2 (Canonical TDX)", 3, 0x1f,
            IntStream.rangeClosed(1, 15).toArray(), 0x0005, 0x0005, true, false, true, true, true, false, 0xe000_0000L, 0x3800_0000_0000L, true, false);

    /**
     * Debian 12's QEMU 7.2 (TCG) with Debian's OVMF 2022.11 ({@code -bios OVMF.fd}, 40 physical
     * address bits) and the same topology: upstream MADT (revision 1; PCI IRQs 5, 9, 10, 11
     * level/active-high), level PCI links, only function 0 of each root-bus slot described, S3/S4 declared, PCIEXBAR at 0xB0000000, a 32 GiB 64-bit
     * aperture at 0xE000000000.
     */
    public static final QemuAcpiModel QEMU_7_2_TCG = new QemuAcpiModel("7.2 (TCG, Debian OVMF 2022.11)", 1, 0x1f,
            new int[] {5, 9, 10, 11}, 0x000d, 0x0000, false, true, false, false, false, true, 0xb000_0000L, 0xe0_0000_0000L, false, false);

    /**
     * Upstream QEMU 10.0 (Debian's 10.0.2 from bookworm-backports, TCG) with Debian's OVMF 2025.02
     * (OVMF_CODE_4M.fd as pflash, 40 physical address bits), same topology: as 7.2 but with the 8.0
     * changes (MADT revision 3, no PCI0 _ADR, EDSM, devices behind root ports and every function of a
     * root-bus slot described) and CEJL in the CPU scan; OVMF 2025.02 puts PCIEXBAR at 0xE0000000 and
     * the 32 GiB 64-bit aperture at 0xC000000000.
     */
    public static final QemuAcpiModel QEMU_10_0_TCG = new QemuAcpiModel("10.0 (TCG, Debian OVMF 2025.02)", 3, 0x1f,
            new int[] {5, 9, 10, 11}, 0x000d, 0x0000, false, false, true, true, true, true, 0xe000_0000L, 0xc0_0000_0000L, false, true);

    /**
     * Upstream QEMU 9.2.1 (Ubuntu 25.04's 1:9.2.1+ds-1ubuntu5, which patches no ACPI code) with the
     * same firmware: 10.0 without CEJL, the only difference of the x86 ACPI build between 9.2.1 and
     * 10.0.2 for this topology (hw/acpi/cpu.c; the rest of the diff is SPCR revision 4, which q35 does
     * not build, and the vmclock device, absent). Checked by reading the two sources, not by a boot.
     */
    public static final QemuAcpiModel QEMU_9_2_TCG = new QemuAcpiModel("9.2 (TCG, OVMF 2025.02; source diff against 10.0)", 3, 0x1f,
            new int[] {5, 9, 10, 11}, 0x000d, 0x0000, false, false, true, true, true, true, 0xe000_0000L, 0xc0_0000_0000L, false, false);

    public static final List<QemuAcpiModel> ALL = List.of(QEMU_8_2_TDX, QEMU_7_2_TCG, QEMU_10_0_TCG, QEMU_9_2_TCG);

    public static QemuAcpiModel named(String name) {
        for (QemuAcpiModel m : ALL) if (m.name.startsWith(name)) return m;
        throw new RecipeException("no ACPI model for QEMU " + name + " (modelled: 8.2 for TDX; 7.2, 9.2 and 10.0 under TCG)");
    }

    /**
     * Size of the 64-bit window in PCI0's _CRS: OVMF's 32 GiB default aperture for the root bus, and
     * per disk one more 32 GiB root-port window plus 16 KiB, as the TD's OVMF assigns them (the
     * shape quex's tables carry; not yet checked against a real TD).
     */
    public long pci64Size(AcpiMachine m) {
        long gib32 = 32L << 30;
        return gib32 + (!pci64PerRootPort || m.disks() == 0 ? 0 : 0x4000 + gib32 * m.disks());
    }
}
