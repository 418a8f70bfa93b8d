package dev.sealwright.measure.acpi;

import java.nio.ByteBuffer;

/** The fixed small tables of the q35 build: MCFG (PCIEXBAR where the firmware put it, buses 0..255), WAET, RSDT. */
final class SmallTables {
    private SmallTables() {}

    static byte[] mcfg(long mmconfigBase) {
        return AcpiTable.header("MCFG", 1, 60).putLong(0).putLong(mmconfigBase).putShort((short) 0).put((byte) 0).put((byte) 0xff).putInt(0).array();
    }

    /** WAET: the ACPI PM timer is good (one read suffices). */
    static byte[] waet() {
        return AcpiTable.header("WAET", 1, 40).putInt(2).array();
    }

    static byte[] rsdt(int[] offsets) {
        ByteBuffer b = AcpiTable.header("RSDT", 1, AcpiTable.HEADER + 4 * offsets.length);
        for (int o : offsets) b.putInt(o);
        return b.array();
    }
}
