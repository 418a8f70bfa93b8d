package dev.sealwright.measure.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * QEMU's x86 ACPI build for a q35 machine: the three fw_cfg files OVMF measures into RTMR0 / PCR 1,
 * {@code etc/acpi/tables} (FACS, DSDT, FADT, MADT, MCFG, WAET, RSDT; padded to 128 KiB),
 * {@code etc/acpi/rsdp} (ACPI 1.0, 20 bytes) and {@code etc/table-loader} (BIOS linker/loader commands,
 * padded to 4 KiB).
 */
public final class AcpiBuild {
    private AcpiBuild() {}

    /** The three fw_cfg files, raw as QEMU serves them. */
    public record Files(byte[] tableLoader, byte[] rsdp, byte[] tables) {}

    static final String TABLES = "etc/acpi/tables";
    static final String RSDP = "etc/acpi/rsdp";
    private static final int TABLES_SIZE = 128 * 1024;
    private static final int LOADER_ALIGN = 4096;

    public static Files build(AcpiMachine m, QemuAcpiModel v) {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        Loader loader = new Loader();
        loader.allocate(TABLES, 64, Loader.ZONE_HIGH);
        int facs = append(blob, Facs.build());
        int dsdt = append(blob, Q35Dsdt.build(m, v));
        loader.checksum(TABLES, dsdt, blob.size() - dsdt);
        List<Integer> rsdtEntries = new ArrayList<>();
        int fadt = append(blob, Fadt.build(m, facs, dsdt));
        loader.pointer(TABLES, fadt + 36, 4, TABLES);
        loader.pointer(TABLES, fadt + 40, 4, TABLES);
        loader.pointer(TABLES, fadt + 140, 8, TABLES);
        loader.checksum(TABLES, fadt, blob.size() - fadt);
        rsdtEntries.add(fadt);
        for (byte[] t : List.of(Madt.build(m, v), SmallTables.mcfg(v.mmconfigBase()), SmallTables.waet())) {
            int off = append(blob, t);
            loader.checksum(TABLES, off, t.length);
            rsdtEntries.add(off);
        }
        int[] entries = rsdtEntries.stream().mapToInt(Integer::intValue).toArray();
        int rsdt = append(blob, SmallTables.rsdt(entries));
        for (int i = 0; i < entries.length; i++) loader.pointer(TABLES, rsdt + AcpiTable.HEADER + 4 * i, 4, TABLES);
        loader.checksum(TABLES, rsdt, blob.size() - rsdt);

        byte[] rsdp = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).put("RSD PTR ".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 0).put("BOCHS ".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).putInt(rsdt).array();
        loader.allocate(RSDP, 16, Loader.ZONE_FSEG);
        loader.pointer(RSDP, 16, 4, TABLES);
        loader.checksum(RSDP, 0, 20, 8);
        return new Files(loader.bytes(LOADER_ALIGN), rsdp, Arrays.copyOf(blob.toByteArray(), Math.max(TABLES_SIZE, blob.size())));
    }

    private static int append(ByteArrayOutputStream blob, byte[] table) {
        int off = blob.size();
        blob.writeBytes(table);
        return off;
    }
}
