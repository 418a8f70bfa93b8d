package dev.sealwright.measure.event;

import dev.sealwright.base.InputFiles;
import dev.sealwright.disk.gpt.EspLayout;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.base.RecipeException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * UEFI_GPT_DATA, the event data and measured bytes of EV_EFI_GPT_EVENT as edk2 (MeasureGptTable in
 * DxeTpm2MeasureBootLib, shared by the TPM and the TDX CC measurement) builds it: the primary GPT
 * header (its 92 defined bytes, as on disk) ‖ u64 number of used entries ‖ those entries
 * (PartitionTypeGUID not zero) as on disk.
 */
public final class UefiGptData {
    private static final int HEADER_SIZE = 92;

    private UefiGptData() {}

    /** The UEFI_GPT_DATA of the GPT disk image {@code disk}. */
    public static byte[] read(Path disk) {
        return read(disk, disk.toString());
    }

    /** As above; {@code name} names the disk in errors (the user's image when {@code disk} is a raw copy of it). */
    public static byte[] read(Path disk, String name) {
        InputFiles.requireImage(disk, "disk image");
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
            GptDisk.read(ch, name);
            ByteBuffer header = read(ch, GptDisk.LBA, HEADER_SIZE, name);
            long entryLba = header.getLong(72);
            long count = Integer.toUnsignedLong(header.getInt(80));
            long size = Integer.toUnsignedLong(header.getInt(84));
            if (size < 128 || count * size > 1 << 20) throw new RecipeException(name + ": GPT entry array of " + count + " x " + size + " bytes is out of range");
            ByteBuffer entries = read(ch, entryLba * GptDisk.LBA, (int) (count * size), name);
            return of(header.array(), entries, (int) count, (int) size);
        } catch (NoSuchFileException e) {
            throw new RecipeException(name + ": no such file");
        } catch (IOException e) {
            throw new RecipeException(name + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * The UEFI_GPT_DATA of the disk {@code sealwright launch} writes to boot a UKI of {@code ukiSize}
     * bytes from an ESP: computed from its layout ({@link EspLayout}), no disk is written.
     */
    public static byte[] ofLaunchEsp(long ukiSize, String uki) {
        GptDisk table = EspLayout.of(ukiSize, uki).table();
        ByteBuffer header = ByteBuffer.wrap(table.primaryHeader()).order(ByteOrder.LITTLE_ENDIAN);
        return of(Arrays.copyOf(header.array(), HEADER_SIZE), ByteBuffer.wrap(table.entryArray()), header.getInt(80), header.getInt(84));
    }

    /** The header's 92 bytes, then the used ones of {@code count} entries of {@code size} bytes. */
    private static byte[] of(byte[] header, ByteBuffer entries, int count, int size) {
        ByteArrayOutputStream used = new ByteArrayOutputStream();
        long n = 0;
        for (int i = 0; i < count; i++) {
            byte[] e = new byte[size];
            entries.get(i * size, e);
            if (Arrays.equals(Arrays.copyOf(e, 16), new byte[16])) continue;
            used.writeBytes(e);
            n++;
        }
        ByteBuffer data = ByteBuffer.allocate(HEADER_SIZE + 8 + used.size()).order(ByteOrder.LITTLE_ENDIAN);
        data.put(header).putLong(n).put(used.toByteArray());
        return data.array();
    }

    /** Number of partition entries in a UEFI_GPT_DATA. */
    public static long partitions(byte[] gptData) {
        return ByteBuffer.wrap(gptData).order(ByteOrder.LITTLE_ENDIAN).getLong(HEADER_SIZE);
    }

    private static ByteBuffer read(FileChannel ch, long offset, int length, String disk) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) throw new RecipeException(disk + ": ends inside its GPT (at byte " + (offset + b.position()) + ")");
        }
        return b.flip();
    }
}
