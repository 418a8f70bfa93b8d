package dev.sealwright.uefi;

import dev.sealwright.base.RecipeException;
import org.tukaani.xz.LZMAInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The firmware volumes an OVMF code image carries compressed: FVMAIN_COMPACT (at offset 0 of the
 * pflash code file) holds one FV_IMAGE file whose LZMA GUID-defined section decompresses to the
 * FV_IMAGE sections PEIFV and DXEFV, which OVMF's SEC copies to RAM and its Tcg2Pei measures as
 * EV_EFI_PLATFORM_FIRMWARE_BLOB (PI spec vol. 3: EFI_FIRMWARE_VOLUME_HEADER, EFI_FFS_FILE_HEADER(2),
 * EFI_COMMON_SECTION_HEADER(2)).
 */
public final class FirmwareVolumes {
    /** edk2's LzmaCustomDecompress GUID (EE4E5898-3914-4259-9D6E-DC7BD79403CF); the stream is LZMA-alone (13-byte header). */
    static final String LZMA_GUID = "ee4e5898-3914-4259-9d6e-dc7bd79403cf";
    private static final int FV_FILETYPE_FIRMWARE_VOLUME_IMAGE = 0x0B, SECTION_GUID_DEFINED = 0x02, SECTION_FIRMWARE_VOLUME_IMAGE = 0x17;
    private static final int MAX_DECOMPRESSED = 64 << 20;

    private FirmwareVolumes() {}

    /** The firmware volumes inside the compressed FV_IMAGE of the volume at offset 0, in section order. */
    public static List<byte[]> decompressedVolumes(byte[] image, String source) {
        try {
            for (byte[] file : ffsFiles(image, source, FV_FILETYPE_FIRMWARE_VOLUME_IMAGE)) {
                for (Section s : sections(file, source)) {
                    if (s.type != SECTION_GUID_DEFINED) continue;
                    ByteBuffer h = ByteBuffer.wrap(file, s.start + s.headerSize, 20).order(ByteOrder.LITTLE_ENDIAN);
                    byte[] guid = new byte[16];
                    h.get(guid);
                    if (!Arrays.equals(guid, EfiGuid.bytes(LZMA_GUID))) continue;
                    int dataOffset = Short.toUnsignedInt(h.getShort());
                    byte[] raw = lzma(Arrays.copyOfRange(file, s.start + dataOffset, s.end), source);
                    List<byte[]> fvs = new ArrayList<>();
                    for (Section inner : sections(raw, source))
                        if (inner.type == SECTION_FIRMWARE_VOLUME_IMAGE) fvs.add(Arrays.copyOfRange(raw, inner.start + inner.headerSize, inner.end));
                    return fvs;
                }
            }
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            throw new RecipeException(source + ": malformed firmware volume (truncated header)");
        }
        throw new RecipeException(source + ": no LZMA-compressed FV_IMAGE in the firmware volume at offset 0 (not an OVMF pflash code image)");
    }

    /** FvLength of the volume header at offset 0, after checking its "_FVH" signature. */
    public static long length(byte[] fv, String source) {
        if (fv.length < 56 || fv[40] != '_' || fv[41] != 'F' || fv[42] != 'V' || fv[43] != 'H')
            throw new RecipeException(source + ": no firmware volume header (_FVH) at offset 0");
        return ByteBuffer.wrap(fv).order(ByteOrder.LITTLE_ENDIAN).getLong(32);
    }

    private static List<byte[]> ffsFiles(byte[] image, String source, int type) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long fvLength = length(image, source);
        if (fvLength > image.length) throw new RecipeException(source + ": firmware volume length 0x" + Long.toHexString(fvLength) + " exceeds the file");
        int off = Short.toUnsignedInt(b.getShort(48));
        int ext = Short.toUnsignedInt(b.getShort(52));
        if (ext != 0) off = ext + b.getInt(ext + 16);
        List<byte[]> out = new ArrayList<>();
        while (true) {
            off = (off + 7) & ~7;
            if (off + 24 > fvLength || allOnes(image, off, 24)) break;
            int size = (image[off + 20] & 0xFF) | (image[off + 21] & 0xFF) << 8 | (image[off + 22] & 0xFF) << 16;
            int header = 24;
            if ((image[off + 19] & 0x01) != 0) {   // FFS_ATTRIB_LARGE_FILE: EFI_FFS_FILE_HEADER2
                long large = b.getLong(off + 24);
                if (large > Integer.MAX_VALUE) throw new RecipeException(source + ": FFS file at 0x" + Integer.toHexString(off) + " too large");
                size = (int) large;
                header = 32;
            }
            if (size < header || off + (long) size > fvLength) throw new RecipeException(source + ": malformed FFS file header at 0x" + Integer.toHexString(off));
            if ((image[off + 18] & 0xFF) == type) out.add(Arrays.copyOfRange(image, off + header, off + size));
            off += size;
        }
        return out;
    }

    private record Section(int type, int start, int headerSize, int end) {}

    private static List<Section> sections(byte[] data, String source) {
        List<Section> out = new ArrayList<>();
        int off = 0;
        while (true) {
            off = (off + 3) & ~3;
            if (off + 4 > data.length) break;
            int size = (data[off] & 0xFF) | (data[off + 1] & 0xFF) << 8 | (data[off + 2] & 0xFF) << 16;
            int header = 4;
            if (size == 0xFFFFFF) {   // EFI_COMMON_SECTION_HEADER2
                size = ByteBuffer.wrap(data, off + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                header = 8;
            }
            if (size < header || off + (long) size > data.length) throw new RecipeException(source + ": malformed section header at 0x" + Integer.toHexString(off));
            out.add(new Section(data[off + 3] & 0xFF, off, header, off + size));
            off += size;
        }
        return out;
    }

    private static byte[] lzma(byte[] stream, String source) {
        try (LZMAInputStream in = new LZMAInputStream(new ByteArrayInputStream(stream), MAX_DECOMPRESSED / 1024)) {
            return in.readNBytes(MAX_DECOMPRESSED);
        } catch (IOException e) {
            throw new RecipeException(source + ": the LZMA section does not decompress: " + e.getMessage());
        }
    }

    private static boolean allOnes(byte[] b, int off, int n) {
        for (int i = 0; i < n; i++) if (b[off + i] != (byte) 0xFF) return false;
        return true;
    }
}
