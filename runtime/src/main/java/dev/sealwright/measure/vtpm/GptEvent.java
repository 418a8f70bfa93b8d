package dev.sealwright.measure.vtpm;

import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.engine.RecipeException;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * PCR 5 EV_EFI_GPT_EVENT of the boot disk, as edk2 (Tcg2Dxe MeasureGptTable) logs it: UEFI_GPT_DATA =
 * the primary GPT header (its 92 defined bytes, as on disk) ‖ u64 number of used entries ‖ those
 * entries (PartitionTypeGUID not zero) as on disk; the digest is over the whole structure.
 */
public final class GptEvent {
    private static final int HEADER_SIZE = 92;

    private GptEvent() {}

    public static BootEvent of(Path disk) {
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
            GptDisk.read(ch, disk.toString());
            ByteBuffer header = read(ch, GptDisk.LBA, HEADER_SIZE, disk);
            long entryLba = header.getLong(72);
            long count = Integer.toUnsignedLong(header.getInt(80));
            long size = Integer.toUnsignedLong(header.getInt(84));
            if (size < 128 || count * size > 1 << 20) throw new RecipeException(disk + ": GPT entry array of " + count + " x " + size + " bytes is out of range");
            ByteBuffer entries = read(ch, entryLba * GptDisk.LBA, (int) (count * size), disk);
            ByteArrayOutputStream used = new ByteArrayOutputStream();
            long n = 0;
            for (int i = 0; i < count; i++) {
                byte[] e = new byte[(int) size];
                entries.get(i * (int) size, e);
                if (java.util.Arrays.equals(java.util.Arrays.copyOf(e, 16), new byte[16])) continue;
                used.writeBytes(e);
                n++;
            }
            ByteBuffer data = ByteBuffer.allocate(HEADER_SIZE + 8 + used.size()).order(ByteOrder.LITTLE_ENDIAN);
            data.put(header.array()).putLong(n).put(used.toByteArray());
            byte[] d = data.array();
            return TpmBootEvents.measuring(5, EventType.EV_EFI_GPT_EVENT, d, d, "GPT of " + disk.getFileName() + ", " + n + " partition(s)");
        } catch (NoSuchFileException e) {
            throw new RecipeException(disk + ": no such file");
        } catch (IOException e) {
            throw new RecipeException(disk + ": cannot read: " + e.getMessage());
        }
    }

    private static ByteBuffer read(FileChannel ch, long offset, int length, Path disk) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) throw new RecipeException(disk + ": ends inside its GPT (at byte " + (offset + b.position()) + ")");
        }
        return b.flip();
    }
}
