package dev.sealwright.disk.layout;

import dev.sealwright.base.RecipeException;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.disk.luks2.Luks2FormatOptions;
import dev.sealwright.disk.vhd.VhdFooter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where the partition goes: {@code gpt} as read, {@code layout} the table after encryption
 * ({@code grown} = the partition grown by the LUKS2 data offset), {@code outSize} the disk
 * bytes after (without a VHD footer).
 */
public record EncryptPlan(VhdFooter vhd, long inSize, GptDisk gpt, GptPartition part, GptPartition grown, GptDisk layout, long outSize) {
    public long partStart() { return part.firstLba() * GptDisk.LBA; }
    public long partBytes() { return part.sizeLbas() * GptDisk.LBA; }
    /** File bytes before and after: the disk plus the VHD footer, if any. */
    public long inFileSize() { return inSize + (vhd == null ? 0 : VhdFooter.SIZE); }
    public long outFileSize() { return outSize + (vhd == null ? 0 : VhdFooter.SIZE); }

    /** Finds the partition and the layout after encryption; rejects what cannot be encrypted. */
    public static EncryptPlan of(FileChannel src, String in, String partition, Luks2FormatOptions options) throws IOException {
        VhdFooter vhd = VhdFooter.readIfPresent(src, in);
        long inSize = vhd == null ? src.size() : vhd.currentSize();
        GptDisk gpt = GptDisk.read(src, inSize, in);
        GptPartition part = gpt.find(partition).orElseThrow(() -> new RecipeException(in + ": no partition matches \"" + partition + "\" (has: "
                + gpt.partitions().stream().map(p -> p.number() + "=" + (p.name().isEmpty() ? p.uuid() : p.name())).collect(Collectors.joining(", ")) + ")"));
        long partStart = part.firstLba() * GptDisk.LBA, partBytes = part.sizeLbas() * GptDisk.LBA;
        if (Arrays.equals(read(src, partStart, 6), new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE}))
            throw new RecipeException(in + ": partition " + part.number() + " is already LUKS-encrypted");
        if (partBytes % options.sectorSize() != 0)
            throw new RecipeException(in + ": partition " + part.number() + " size " + partBytes + " is not a multiple of the " + options.sectorSize() + "-byte LUKS2 sector");
        long grow = options.dataOffset() / GptDisk.LBA;
        long next = gpt.partitions().stream().filter(p -> p.firstLba() > part.lastLba()).mapToLong(GptPartition::firstLba).min().orElse(gpt.lastUsable() + 1);
        boolean last = gpt.partitions().stream().noneMatch(p -> p.firstLba() > part.lastLba());
        long gap = next - part.lastLba() - 1;
        GptDisk layout = gpt;
        long outSize = inSize;
        if (gap < grow) {
            if (!last) throw new RecipeException(in + ": not implemented in this build: partition " + part.number()
                    + " has only " + gap * 512 + " free bytes behind it and is not the last partition (shifting the partitions after it)");
            outSize = inSize + (grow - gap) * GptDisk.LBA;
            layout = gpt.resized(outSize);
        }
        GptPartition grown = part.withRange(part.firstLba(), part.lastLba() + grow);
        return new EncryptPlan(vhd, inSize, gpt, part, grown, layout.withPartition(grown), outSize);
    }

    public static java.util.UUID uuidFrom(byte[] b) {
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new java.util.UUID(bb.getLong(), bb.getLong());
    }

    private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) { }
        return b.array();
    }
}
