package dev.sealwright.measure.tdx;

import dev.sealwright.base.RecipeException;
import dev.sealwright.uefi.EfiGuid;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The TDVF metadata of an OVMF/TDVF image: found through the OVMF GUIDed table at the end of the
 * image (footer GUID at len-0x30, TDX metadata offset entry), then the "TDVF" descriptor and its
 * section entries. The sections' file offsets describe the image exactly as a TD loads it (the
 * combined VARS + CODE {@code OVMF.fd}); a file they do not fit is refused.
 */
public record TdvfMetadata(long descriptorOffset, List<TdvfSection> sections) {
    static final UUID TABLE_FOOTER = UUID.fromString("96b582de-1fb2-45f7-baea-a366c55a082d");
    static final UUID TDX_METADATA_OFFSET = UUID.fromString("e47a6535-984a-4798-865e-4685a7bf8ec2");
    static final UUID TDX_METADATA = UUID.fromString("e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae");

    public TdvfMetadata {
        sections = List.copyOf(sections);
    }

    public static TdvfMetadata parse(byte[] fw, String source) {
        try {
            return parse(fw);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new RecipeException(source + ": " + e.getMessage());
        }
    }

    private static TdvfMetadata parse(byte[] fw) {
        int len = fw.length;
        if (len < 0x1000 || !EfiGuid.at(fw, len - 0x30, TABLE_FOOTER))
            throw new IllegalArgumentException("no OVMF GUIDed table footer at the end of the image (not an OVMF/TDVF firmware, or truncated)");
        ByteBuffer b = ByteBuffer.wrap(fw).order(ByteOrder.LITTLE_ENDIAN);
        int tableLen = Short.toUnsignedInt(b.getShort(len - 0x32));
        int stop = len - 0x20 - tableLen, cursor = len - 0x32;
        if (tableLen < 18 || stop < 0) throw new IllegalArgumentException("OVMF GUIDed table length " + tableLen + " is corrupt");
        Long metadataDistance = null;
        while (cursor - 18 >= stop) {
            int entryLen = Short.toUnsignedInt(b.getShort(cursor - 18));
            if (entryLen < 18 || cursor - entryLen < stop) throw new IllegalArgumentException("OVMF GUIDed table entry at " + (cursor - 18) + " has corrupt length " + entryLen);
            if (EfiGuid.at(fw, cursor - 16, TDX_METADATA_OFFSET)) {
                if (entryLen < 22) throw new IllegalArgumentException("TDX metadata offset entry is too short");
                metadataDistance = Integer.toUnsignedLong(b.getInt(cursor - 22));
            }
            cursor -= entryLen;
        }
        if (metadataDistance == null)
            throw new IllegalArgumentException("the OVMF GUIDed table has no TDX metadata entry (firmware built without TDX support)");
        long desc = len - metadataDistance;
        if (desc < 16 || desc + 16 > len) throw new IllegalArgumentException("TDX metadata offset " + metadataDistance + " points outside the image");
        int d = (int) desc;
        if (!EfiGuid.at(fw, d - 16, TDX_METADATA)) throw new IllegalArgumentException("no TDX metadata GUID before the TDVF descriptor at " + d);
        if (b.getInt(d) != 0x46564454) throw new IllegalArgumentException("no \"TDVF\" signature at " + d + " (corrupt metadata)");
        long length = Integer.toUnsignedLong(b.getInt(d + 4));
        long version = Integer.toUnsignedLong(b.getInt(d + 8));
        long n = Integer.toUnsignedLong(b.getInt(d + 12));
        if (version != 1) throw new IllegalArgumentException("TDVF metadata version " + version + " is not supported (1 is)");
        if (n == 0 || length != 16 + 32 * n || d + length > len)
            throw new IllegalArgumentException("TDVF descriptor declares " + n + " sections in " + length + " bytes (corrupt)");
        List<TdvfSection> sections = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int o = d + 16 + 32 * i;
            long type = Integer.toUnsignedLong(b.getInt(o + 24));
            if (type >= TdvfSection.Type.values().length) throw new IllegalArgumentException("TDVF section " + i + " has unknown type " + type);
            TdvfSection s = new TdvfSection(Integer.toUnsignedLong(b.getInt(o)), Integer.toUnsignedLong(b.getInt(o + 4)),
                    b.getLong(o + 8), b.getLong(o + 16), TdvfSection.Type.values()[(int) type], Integer.toUnsignedLong(b.getInt(o + 28)));
            check(s, i, len);
            sections.add(s);
        }
        return new TdvfMetadata(desc, sections);
    }

    private static void check(TdvfSection s, int i, int len) {
        String what = "TDVF section " + i + " (" + s.type() + ")";
        if ((s.memoryAddress() & 0xFFF) != 0 || (s.memoryDataSize() & 0xFFF) != 0)
            throw new IllegalArgumentException(what + " is not 4 KiB aligned (GPA 0x" + Long.toHexString(s.memoryAddress()) + ", size 0x" + Long.toHexString(s.memoryDataSize()) + ")");
        if (s.memoryDataSize() < s.rawDataSize()) throw new IllegalArgumentException(what + " has more file data than memory");
        // the VMM adds (and the MRTD measures) every page of such a section: it must be guest memory below 4 GiB,
        // as in every TDVF (firmware volumes end at the reset vector, TD_HOB and TempMem are low memory)
        long end = s.memoryAddress() + s.memoryDataSize();
        if (!s.pageAug() && (Long.compareUnsigned(end, s.memoryAddress()) < 0 || Long.compareUnsigned(end, 1L << 32) > 0))
            throw new IllegalArgumentException(what + " (GPA 0x" + Long.toHexString(s.memoryAddress()) + ", size 0x" + Long.toHexString(s.memoryDataSize())
                    + ") does not lie below 4 GiB");
        if (s.dataOffset() + s.rawDataSize() > len)
            throw new IllegalArgumentException(what + " needs file bytes up to 0x" + Long.toHexString(s.dataOffset() + s.rawDataSize())
                    + " but the image is 0x" + Integer.toHexString(len) + " bytes; a TD loads the combined image (OVMF.fd = VARS + CODE), not OVMF_CODE.fd alone");
    }

    public TdvfSection only(TdvfSection.Type type) {
        List<TdvfSection> found = sections.stream().filter(s -> s.type() == type).toList();
        if (found.size() != 1) throw new RecipeException("TDVF metadata has " + found.size() + " " + type + " sections, expected exactly one");
        return found.get(0);
    }
}
