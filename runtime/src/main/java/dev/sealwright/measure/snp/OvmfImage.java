package dev.sealwright.measure.snp;

import dev.sealwright.uefi.EfiGuid;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A firmware image measured into an SEV guest (OVMF, or a Coconut SVSM binary): its bytes, the GUIDed
 * footer table before the reset vector, and the SEV metadata sections ("ASEV") that table points at.
 * The image is mapped so that it ends at {@code endAt} (4 GiB for OVMF).
 */
public final class OvmfImage {
    public static final long FOUR_GIB = 0x1_0000_0000L;
    static final UUID FOOTER_GUID = UUID.fromString("96b582de-1fb2-45f7-baea-a366c55a082d");
    static final UUID SEV_HASH_TABLE_RV_GUID = UUID.fromString("7255371f-3a3b-4b04-927b-1da6efa8d454");
    static final UUID SEV_ES_RESET_BLOCK_GUID = UUID.fromString("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
    static final UUID SEV_METADATA_GUID = UUID.fromString("dc886566-984a-4798-a75e-5585a7bf67cc");
    static final UUID SVSM_INFO_GUID = UUID.fromString("a789a612-0597-4c4b-a49f-cbb1fe9d1ddd");
    private static final int ENTRY_HEADER = 18;

    private final String name;
    private final byte[] data;
    private final long gpa;
    private final Map<UUID, byte[]> table;
    private final List<MetadataSection> sections;

    private OvmfImage(String name, byte[] data, long endAt) {
        this.name = name;
        this.data = data;
        if (data.length == 0 || data.length % LaunchDigest.PAGE != 0)
            throw bad("size " + data.length + " is not a non-zero multiple of 4096 bytes (truncated or not a firmware image?)");
        this.gpa = endAt - data.length;
        this.table = parseFooterTable();
        this.sections = parseMetadata();
    }

    /** Reads an OVMF image ending at 4 GiB ({@code .gz} files are decompressed). */
    public static OvmfImage read(Path file) {
        return read(file, FOUR_GIB);
    }

    public static OvmfImage read(Path file, long endAt) {
        return new OvmfImage(file.toString(), readBytes(file), endAt);
    }

    public static OvmfImage of(String name, byte[] data, long endAt) {
        return new OvmfImage(name, data.clone(), endAt);
    }

    /** A firmware image as QEMU loads it below 4 GiB (OVMF builds are 2-4 MiB; a flash is at most 64 MiB). */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a firmware image", 64 << 20);

    static byte[] readBytes(Path file) {
        return file.getFileName().toString().endsWith(".gz") ? InputFiles.readGzip(file, FILE_BOUND) : InputFiles.read(file, FILE_BOUND);
    }

    public String name() {
        return name;
    }

    /** The file name without directories (for reports that must not depend on where inputs live). */
    public String fileName() {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    public byte[] data() {
        return data.clone();
    }

    /** Bytes for hashing; not a copy, do not modify. */
    byte[] dataView() {
        return data;
    }

    public int size() {
        return data.length;
    }

    /** Guest-physical address of the first byte. */
    public long gpa() {
        return gpa;
    }

    public Map<UUID, byte[]> footerTable() {
        return Collections.unmodifiableMap(table);
    }

    public List<MetadataSection> sections() {
        return sections;
    }

    public boolean hasSection(SectionType type) {
        return sections.stream().anyMatch(s -> s.type() == type);
    }

    /** AP reset address from the SEV-ES reset block (CS base = addr & 0xFFFF0000, RIP = addr & 0xFFFF). */
    public long sevEsResetEip() {
        byte[] e = table.get(SEV_ES_RESET_BLOCK_GUID);
        if (e == null || e.length < 4)
            throw bad("no SEV_ES_RESET_BLOCK entry in the OVMF footer table (not an SEV-capable OVMF build)");
        return u32(e, 0);
    }

    /** Entry point of a Coconut SVSM image: SVSM_INFO offset + the image's GPA. */
    public long svsmEntryEip() {
        byte[] e = table.get(SVSM_INFO_GUID);
        if (e == null || e.length < 4) throw bad("no SVSM_INFO entry in the footer table (not a Coconut SVSM image?)");
        return u32(e, 0) + gpa;
    }

    /** GPA of the SEV hashes table, or 0 when the build reserves none (non-AmdSev builds). */
    public long sevHashesTableGpa() {
        byte[] e = table.get(SEV_HASH_TABLE_RV_GUID);
        return e == null || e.length < 4 ? 0 : u32(e, 0);
    }

    public boolean supportsSevHashesTable() {
        return sevHashesTableGpa() != 0;
    }

    private Map<UUID, byte[]> parseFooterTable() {
        Map<UUID, byte[]> result = new LinkedHashMap<>();
        int footerAt = data.length - 32 - ENTRY_HEADER;
        if (footerAt < 0 || !EfiGuid.read(data, footerAt + 2).equals(FOOTER_GUID)) return result;
        int tableSize = u16(data, footerAt) - ENTRY_HEADER;
        if (tableSize < 0 || tableSize > footerAt) throw bad("OVMF footer table size " + (tableSize + ENTRY_HEADER) + " is out of range");
        int end = footerAt;
        int start = footerAt - tableSize;
        while (end - start >= ENTRY_HEADER) {
            int size = u16(data, end - ENTRY_HEADER);
            if (size < ENTRY_HEADER || end - size < start)
                throw bad("OVMF footer table entry at offset 0x" + Integer.toHexString(end - ENTRY_HEADER) + " has invalid size " + size);
            UUID guid = EfiGuid.read(data, end - 16);
            result.put(guid, Arrays.copyOfRange(data, end - size, end - ENTRY_HEADER));
            end -= size;
        }
        return result;
    }

    private List<MetadataSection> parseMetadata() {
        byte[] e = table.get(SEV_METADATA_GUID);
        if (e == null) return List.of();
        if (e.length < 4) throw bad("SEV metadata footer entry is too short");
        long offsetFromEnd = u32(e, 0);
        long start = data.length - offsetFromEnd;
        if (offsetFromEnd < 16 || start < 0) throw bad("SEV metadata offset 0x" + Long.toHexString(offsetFromEnd) + " lies outside the image");
        int at = (int) start;
        if (data[at] != 'A' || data[at + 1] != 'S' || data[at + 2] != 'E' || data[at + 3] != 'V')
            throw bad("SEV metadata at offset 0x" + Integer.toHexString(at) + " lacks the ASEV signature");
        long version = u32(data, at + 8);
        if (version != 1) throw bad("SEV metadata version " + version + " is not supported (expected 1)");
        long count = u32(data, at + 12);
        if (at + 16 + count * 12 > data.length) throw bad("SEV metadata lists " + count + " sections, more than the image holds");
        List<MetadataSection> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int d = at + 16 + i * 12;
            int code = (int) u32(data, d + 8);
            SectionType type = SectionType.of(code);
            if (type == null) throw bad("SEV metadata section " + i + " has unknown type " + Integer.toUnsignedString(code));
            long gpa = u32(data, d), size = u32(data, d + 4);
            // the pages are measured one by one (SNP ABI: 4 KiB pages), below 4 GiB
            if (gpa % 4096 != 0 || size % 4096 != 0 || gpa + size > FOUR_GIB)
                throw bad(String.format("SEV metadata section %d (type %d) covers 0x%X bytes at 0x%X: not whole 4 KiB pages below 4 GiB", i, code, size, gpa));
            list.add(new MetadataSection(gpa, size, type));
        }
        return List.copyOf(list);
    }

    private RecipeException bad(String what) {
        return new RecipeException(name + ": " + what);
    }

    static int u16(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
    }

    static long u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
    }
}
