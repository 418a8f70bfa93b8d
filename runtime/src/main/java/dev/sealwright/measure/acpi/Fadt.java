package dev.sealwright.measure.acpi;

import java.nio.ByteBuffer;

/**
 * FADT revision 3 (build_fadt with the q35 ICH9 PM values): PM1a event/control, PM timer and GPE0 at
 * 0x600/0x604/0x608/0x620, SCI 9, reset register 0xCF9 value 0x0F, century index 0x32. FIRMWARE_CTRL
 * and DSDT (and X_DSDT) hold their tables' offsets in {@code etc/acpi/tables}; the loader adds the base.
 */
final class Fadt {
    private Fadt() {}

    /** WBINVD, C1, sleep button, RTC S4, reset register, platform clock. */
    private static final int FLAGS = 0x84a5;
    private static final int FORCE_APIC_CLUSTER_MODEL = 1 << 18;

    static byte[] build(AcpiMachine m, int facsOffset, int dsdtOffset) {
        ByteBuffer b = AcpiTable.header("FACP", 3, 244);
        b.putInt(facsOffset).putInt(dsdtOffset).put((byte) 1).put((byte) 0).putShort((short) 9);
        b.putInt(0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);   // no SMM: no SMI command port
        b.putInt(0x600).putInt(0).putInt(0x604).putInt(0).putInt(0).putInt(0x608).putInt(0x620).putInt(0);
        b.put((byte) 4).put((byte) 2).put((byte) 0).put((byte) 4).put((byte) 0x10).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putShort((short) 0x0fff).putShort((short) 0x0fff).putShort((short) 0).putShort((short) 0);
        b.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0x32);
        b.putShort((short) 0).put((byte) 0);                                   // no i8042: no IA-PC boot flags
        b.putInt(FLAGS | (m.cpus() > 8 ? FORCE_APIC_CLUSTER_MODEL : 0));
        gas(b, 8, 0xcf9).put((byte) 0x0f).putShort((short) 0).put((byte) 0);
        b.putLong(0).putLong(dsdtOffset);
        gas(b, 0x20, 0x600);
        gas(b, 0, 0);
        gas(b, 0x10, 0x604);
        gas(b, 0, 0);
        gas(b, 0, 0);
        gas(b, 0x20, 0x608);
        gas(b, 0x80, 0x620);
        gas(b, 0, 0);
        return b.array();
    }

    /** Generic Address Structure in system I/O space (or all zero when {@code bits} is 0). */
    private static ByteBuffer gas(ByteBuffer b, int bits, long address) {
        return b.put((byte) (bits == 0 ? 0 : 1)).put((byte) bits).put((byte) 0).put((byte) 0).putLong(address);
    }
}
