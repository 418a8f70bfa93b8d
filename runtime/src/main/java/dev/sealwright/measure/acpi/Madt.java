package dev.sealwright.measure.acpi;

import java.nio.ByteBuffer;

/**
 * MADT (build_madt): local APIC at 0xFEE00000 with PCAT_COMPAT, one enabled Local APIC per vCPU
 * (processor uid = APIC id = index), the I/O APIC at 0xFEC00000, the IRQ 0 → GSI 2 override, the
 * model's legacy-IRQ overrides, and the LINT1 NMI for all processors.
 */
final class Madt {
    private Madt() {}

    static byte[] build(AcpiMachine m, QemuAcpiModel v) {
        int[] overrides = v.legacyIrqOverrides();
        ByteBuffer b = AcpiTable.header("APIC", v.madtRevision(), AcpiTable.HEADER + 8 + 8 * m.cpus() + 12 + 10 * (1 + overrides.length) + 6);
        b.putInt(0xfee0_0000).putInt(1);
        for (int i = 0; i < m.cpus(); i++) b.put((byte) 0).put((byte) 8).put((byte) i).put((byte) i).putInt(1);
        b.put((byte) 1).put((byte) 12).put((byte) 0).put((byte) 0).putInt(0xfec0_0000).putInt(0);
        b.put((byte) 2).put((byte) 10).put((byte) 0).put((byte) 0).putInt(2).putShort((short) v.irq0Flags());
        for (int irq : overrides) b.put((byte) 2).put((byte) 10).put((byte) 0).put((byte) irq).putInt(irq).putShort((short) v.legacyIrqFlags());
        b.put((byte) 4).put((byte) 6).put((byte) 0xff).putShort((short) 0).put((byte) 1);
        return b.array();
    }
}
