package dev.sealwright.measure.tdx;

import dev.sealwright.measure.acpi.AcpiMachine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The TD HOB list QEMU hands to TDVF (the bytes RTMR0's EV_EFI_HANDOFF_TABLES2 measures): a PHIT
 * header and one resource descriptor per memory range of the q35 layout. The accepted ranges are
 * the TD_HOB and TempMem sections; everything else is unaccepted RAM. The END HOB is counted in
 * EfiEndOfHobList but not part of the measured bytes.
 */
public final class TdHob {
    private static final long FOUR_GIB = 0x1_0000_0000L;
    private static final int PHIT = 56, RESOURCE = 48;
    private static final int SYSTEM_MEMORY = 0, MEMORY_UNACCEPTED = 7;

    private TdHob() {}

    /** QEMU pc_q35 split of RAM into below-4G and above-4G parts. */
    static long[] split(long ram) {
        long below = AcpiMachine.belowFourGiB(ram);
        return new long[] {below, ram - below};
    }

    public static byte[] build(TdvfMetadata metadata, long ramBytes) {
        TdvfSection hob = metadata.only(TdvfSection.Type.TD_HOB);
        List<TdvfSection> accepted = new ArrayList<>(metadata.sections().stream()
                .filter(s -> s.type() == TdvfSection.Type.TD_HOB || s.type() == TdvfSection.Type.TEMP_MEM).toList());
        accepted.sort(Comparator.comparingLong(TdvfSection::memoryAddress));
        long[] parts = split(ramBytes);
        List<long[]> resources = new ArrayList<>();
        long prev = 0;
        for (TdvfSection s : accepted) {
            if (s.memoryAddress() > prev) resources.add(new long[] {MEMORY_UNACCEPTED, prev, s.memoryAddress() - prev});
            resources.add(new long[] {SYSTEM_MEMORY, s.memoryAddress(), s.memoryDataSize()});
            prev = s.memoryAddress() + s.memoryDataSize();
        }
        if (parts[0] > prev) resources.add(new long[] {MEMORY_UNACCEPTED, prev, parts[0] - prev});
        if (parts[1] > 0) resources.add(new long[] {MEMORY_UNACCEPTED, FOUR_GIB, parts[1]});

        int size = PHIT + RESOURCE * resources.size();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 1).putShort((short) PHIT).putInt(0).putInt(9).putInt(0);
        b.putLong(0).putLong(0).putLong(0).putLong(0);
        b.putLong(hob.memoryAddress() + size + 8);
        for (long[] r : resources) {
            b.putShort((short) 3).putShort((short) RESOURCE).putInt(0).put(new byte[16]);
            b.putInt((int) r[0]).putInt(7).putLong(r[1]).putLong(r[2]);
        }
        return b.array();
    }
}
