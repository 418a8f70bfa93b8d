package dev.sealwright.disk.gpt;

import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A GUID partition table on 512-byte logical blocks (UEFI 2.10 §5.3): protective MBR, primary
 * header + entry array at LBA 1/2, backup entry array + header at the end, CRC32s over both.
 * {@link #read} verifies everything and falls back to the backup copy when the primary is damaged;
 * {@link #write} writes all three parts.
 */
public final class GptDisk {
    public static final int LBA = 512;
    private static final byte[] SIGNATURE = "EFI PART".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_SIZE = 92;

    private final long diskLbas;
    private final UUID diskGuid;
    private final long firstUsable;
    private final long lastUsable;
    private final int entryCount;
    private final int entrySize;
    private final List<GptPartition> partitions;
    private String recoveryNote;

    public GptDisk(long diskLbas, UUID diskGuid, long firstUsable, long lastUsable, int entryCount, List<GptPartition> partitions) {
        this(diskLbas, diskGuid, firstUsable, lastUsable, entryCount, 128, partitions);
    }

    private GptDisk(long diskLbas, UUID diskGuid, long firstUsable, long lastUsable, int entryCount, int entrySize, List<GptPartition> partitions) {
        this.diskLbas = diskLbas;
        this.diskGuid = diskGuid;
        this.firstUsable = firstUsable;
        this.lastUsable = lastUsable;
        this.entryCount = entryCount;
        this.entrySize = entrySize;
        List<GptPartition> sorted = new ArrayList<>(partitions);
        sorted.sort(Comparator.comparingInt(GptPartition::number));
        this.partitions = List.copyOf(sorted);
        String problem = layoutProblem();
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /** An empty table for a disk of {@code diskBytes} with the usual 128 entries (usable LBAs 34 … n−34). */
    public static GptDisk empty(long diskBytes, UUID diskGuid) {
        long lbas = diskBytes / LBA;
        return new GptDisk(lbas, diskGuid, 34, lbas - 34, 128, List.of());
    }

    public long diskLbas() { return diskLbas; }
    public UUID diskGuid() { return diskGuid; }
    public long firstUsable() { return firstUsable; }
    public long lastUsable() { return lastUsable; }
    public int entryCount() { return entryCount; }
    public List<GptPartition> partitions() { return partitions; }
    public String recoveryNote() { return recoveryNote; }

    private long entryLbas() { return ((long) entryCount * entrySize + LBA - 1) / LBA; }

    public GptDisk withPartition(GptPartition p) {
        List<GptPartition> all = new ArrayList<>(partitions);
        all.removeIf(q -> q.number() == p.number());
        all.add(p);
        return new GptDisk(diskLbas, diskGuid, firstUsable, lastUsable, entryCount, entrySize, all);
    }

    /** The same table on a disk of a new size: backup structures move to the new end. */
    public GptDisk resized(long diskBytes) {
        long lbas = diskBytes / LBA;
        return new GptDisk(lbas, diskGuid, firstUsable, lbas - 2 - entryLbas(), entryCount, entrySize, partitions);
    }

    /**
     * Finds a partition the way encrypt-cloud-image does: "rootfs" = the first Linux filesystem
     * partition (or a DPS x86-64 root), "esp" = the EFI system partition, else a partition UUID or name.
     */
    public Optional<GptPartition> find(String selector) {
        if (selector.equals("rootfs")) {
            Optional<GptPartition> linux = partitions.stream().filter(p -> p.type().equals(GptPartition.LINUX_FILESYSTEM)).findFirst();
            return linux.isPresent() ? linux : partitions.stream().filter(p -> p.type().equals(GptPartition.ROOT_X86_64)).findFirst();
        }
        if (selector.equals("esp")) return partitions.stream().filter(p -> p.type().equals(GptPartition.EFI_SYSTEM)).findFirst();
        try {
            UUID u = UUID.fromString(selector);
            return partitions.stream().filter(p -> p.uuid().equals(u)).findFirst();
        } catch (IllegalArgumentException notUuid) {
            return partitions.stream().filter(p -> p.name().equals(selector)).findFirst();
        }
    }

    private String layoutProblem() {
        long entriesEnd = 2 + entryLbas();
        if (firstUsable < entriesEnd) return "first usable LBA " + firstUsable + " overlaps the partition entries (which end at LBA " + (entriesEnd - 1) + ")";
        if (lastUsable > diskLbas - 2 - entryLbas()) return "last usable LBA " + lastUsable + " overlaps the backup partition entries of a " + diskLbas + "-sector disk";
        if (firstUsable > lastUsable) return "no usable space on a " + diskLbas + "-sector disk";
        for (GptPartition p : partitions) {
            if (p.number() > entryCount) return "partition " + p.number() + " is beyond the " + entryCount + " entries";
            if (p.firstLba() < firstUsable || p.lastLba() > lastUsable)
                return "partition " + p.number() + " [" + p.firstLba() + ", " + p.lastLba() + "] is outside the usable LBAs [" + firstUsable + ", " + lastUsable + "]";
            for (GptPartition q : partitions)
                if (p != q && p.firstLba() <= q.lastLba() && q.firstLba() <= p.lastLba())
                    return "partitions " + p.number() + " and " + q.number() + " overlap";
        }
        return null;
    }

    /** Reads and checks the table of a raw disk image; {@code source} names it in errors. */
    public static GptDisk read(FileChannel ch, String source) throws IOException {
        return read(ch, ch.size(), source);
    }

    /** Reads the table of a disk occupying the first {@code size} bytes of {@code ch} (e.g. a fixed VHD without its footer). */
    public static GptDisk read(FileChannel ch, long size, String source) throws IOException {
        if (size < 68 * LBA) throw new RecipeException(source + ": too small (" + size + " bytes) for a GPT disk");
        ByteBuffer mbr = readLba(ch, 0, 1);
        if (Short.toUnsignedInt(mbr.getShort(510)) != 0xAA55) throw new RecipeException(source + ": no MBR signature 0x55AA at LBA 0 (not a partitioned disk image)");
        boolean protective = false;
        for (int i = 0; i < 4; i++) if ((mbr.get(446 + 16 * i + 4) & 0xff) == 0xEE) protective = true;
        if (!protective) throw new RecipeException(source + ": the MBR has no protective 0xEE partition (MBR-partitioned, not GPT)");
        long lbas = size / LBA;
        String primaryError;
        try {
            return parse(ch, 1, lbas);
        } catch (IllegalStateException e) {
            primaryError = e.getMessage();
        }
        try {
            GptDisk backup = parse(ch, lbas - 1, lbas);
            backup.recoveryNote = "primary GPT invalid (" + primaryError + "); read the backup at LBA " + (lbas - 1);
            return backup;
        } catch (IllegalStateException e) {
            throw new RecipeException(source + ": invalid GPT: primary: " + primaryError + "; backup: " + e.getMessage());
        }
    }

    private static GptDisk parse(FileChannel ch, long headerLba, long lbas) throws IOException {
        ByteBuffer h = readLba(ch, headerLba, 1);
        byte[] sig = new byte[8];
        h.get(0, sig);
        if (!java.util.Arrays.equals(sig, SIGNATURE)) throw new IllegalStateException("no \"EFI PART\" signature at LBA " + headerLba);
        int headerSize = h.getInt(12);
        if (headerSize < HEADER_SIZE || headerSize > LBA) throw new IllegalStateException("header size " + headerSize + " out of range");
        int storedCrc = h.getInt(16);
        ByteBuffer copy = ByteBuffer.allocate(headerSize).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(0, h.array(), 0, headerSize).putInt(16, 0);
        if (crc(copy.array()) != storedCrc) throw new IllegalStateException("header CRC32 mismatch at LBA " + headerLba);
        long myLba = h.getLong(24), altLba = h.getLong(32);
        if (myLba != headerLba) throw new IllegalStateException("header at LBA " + headerLba + " says it is at LBA " + myLba);
        long firstUsable = h.getLong(40), lastUsable = h.getLong(48);
        UUID disk = guid(h, 56);
        long entriesLba = h.getLong(72);
        int count = h.getInt(80), entrySize = h.getInt(84);
        int entriesCrc = h.getInt(88);
        if (entrySize < 128 || entrySize % 8 != 0 || count <= 0 || (long) count * entrySize > (1 << 20))
            throw new IllegalStateException("unsupported entry array (" + count + " × " + entrySize + " bytes)");
        long entryBytes = (long) count * entrySize;
        long entryLbas = (entryBytes + LBA - 1) / LBA;
        if (entriesLba < 2 || entriesLba + entryLbas > lbas) throw new IllegalStateException("entry array at LBA " + entriesLba + " is outside the disk");
        ByteBuffer e = readLba(ch, entriesLba, (int) entryLbas);
        byte[] entries = java.util.Arrays.copyOf(e.array(), (int) entryBytes);
        if (crc(entries) != entriesCrc) throw new IllegalStateException("partition entry array CRC32 mismatch");
        if (headerLba == 1 && altLba >= lbas) throw new IllegalStateException("backup header LBA " + altLba + " is beyond the end of the disk (image truncated?)");
        List<GptPartition> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int o = i * entrySize;
            UUID type = guid(e, o);
            if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) continue;
            char[] name = new char[36];
            int n = 0;
            for (; n < 36; n++) {
                char c = e.getChar(o + 56 + 2 * n);
                if (c == 0) break;
                name[n] = c;
            }
            try {
                parts.add(new GptPartition(i + 1, type, guid(e, o + 16), e.getLong(o + 32), e.getLong(o + 40), e.getLong(o + 48), new String(name, 0, n)));
            } catch (IllegalArgumentException bad) {
                throw new IllegalStateException(bad.getMessage());
            }
        }
        try {
            return new GptDisk(lbas, disk, firstUsable, lastUsable, count, entrySize, parts);
        } catch (IllegalArgumentException bad) {
            throw new IllegalStateException(bad.getMessage());
        }
    }

    /**
     * Writes the protective MBR (keeping any boot code already in LBA 0), the primary and the
     * backup GPT into the first {@link #diskLbas} sectors of the file (a VHD footer may follow).
     */
    public void write(FileChannel ch) throws IOException {
        if (ch.size() / LBA < diskLbas) throw new IllegalStateException("table is for " + diskLbas + " sectors, file has " + ch.size() / LBA);
        // keep boot code and disk signature (bytes 0-445) of an existing MBR; replace the partition table
        ByteBuffer mbr = readLba(ch, 0, 1);
        if (Short.toUnsignedInt(mbr.getShort(510)) != 0xAA55) mbr = ByteBuffer.allocate(LBA).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 446; i < 510; i++) mbr.put(i, (byte) 0);
        mbr.put(446 + 1, (byte) 0x00).put(446 + 2, (byte) 0x02).put(446 + 3, (byte) 0x00); // CHS 0/0/2
        mbr.put(446 + 4, (byte) 0xEE);
        mbr.put(446 + 5, (byte) 0xFF).put(446 + 6, (byte) 0xFF).put(446 + 7, (byte) 0xFF);
        mbr.putInt(446 + 8, 1);
        mbr.putInt(446 + 12, (int) Math.min(diskLbas - 1, 0xFFFFFFFFL));
        mbr.putShort(510, (short) 0xAA55);
        write(ch, 0, mbr.array());

        byte[] entries = entryArray();
        int entriesCrc = crc(java.util.Arrays.copyOf(entries, entryCount * entrySize));
        long backupEntries = diskLbas - 1 - entryLbas();
        write(ch, 2L * LBA, entries);
        write(ch, backupEntries * LBA, entries);
        write(ch, LBA, header(1, diskLbas - 1, 2, entriesCrc));
        write(ch, (diskLbas - 1) * LBA, header(diskLbas - 1, 1, backupEntries, entriesCrc));
    }

    /** The primary GPT header sector (LBA 1) as {@link #write} writes it: its entry array at LBA 2. */
    public byte[] primaryHeader() {
        return header(1, diskLbas - 1, 2, crc(java.util.Arrays.copyOf(entryArray(), entryCount * entrySize)));
    }

    /** The partition entry array as written, padded to whole sectors. */
    public byte[] entryArray() {
        ByteBuffer entries = ByteBuffer.allocate((int) (entryLbas() * LBA)).order(ByteOrder.LITTLE_ENDIAN);
        for (GptPartition p : partitions) {
            int o = (p.number() - 1) * entrySize;
            putGuid(entries, o, p.type());
            putGuid(entries, o + 16, p.uuid());
            entries.putLong(o + 32, p.firstLba()).putLong(o + 40, p.lastLba()).putLong(o + 48, p.attributes());
            for (int i = 0; i < p.name().length(); i++) entries.putChar(o + 56 + 2 * i, p.name().charAt(i));
        }
        return entries.array();
    }

    private byte[] header(long my, long alt, long entriesLba, int entriesCrc) {
        ByteBuffer h = ByteBuffer.allocate(LBA).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, SIGNATURE);
        h.putInt(8, 0x00010000).putInt(12, HEADER_SIZE);
        h.putLong(24, my).putLong(32, alt).putLong(40, firstUsable).putLong(48, lastUsable);
        putGuid(h, 56, diskGuid);
        h.putLong(72, entriesLba).putInt(80, entryCount).putInt(84, entrySize).putInt(88, entriesCrc);
        h.putInt(16, crc(java.util.Arrays.copyOf(h.array(), HEADER_SIZE)));
        return h.array();
    }

    private static ByteBuffer readLba(FileChannel ch, long lba, int count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(count * LBA);
        while (b.hasRemaining() && ch.read(b, lba * LBA + b.position()) > 0) { }
        return b.order(ByteOrder.LITTLE_ENDIAN).clear();
    }

    private static void write(FileChannel ch, long pos, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b, pos + b.position());
    }

    private static int crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return (int) c.getValue();
    }

    /** EFI GUIDs store the first three fields little-endian, the last eight bytes as they are. */
    static UUID guid(ByteBuffer b, int o) {
        long msb = ((long) Integer.reverseBytes(b.order(ByteOrder.BIG_ENDIAN).getInt(o)) & 0xffffffffL) << 32
                | (long) (Short.reverseBytes(b.getShort(o + 4)) & 0xffff) << 16
                | (Short.reverseBytes(b.getShort(o + 6)) & 0xffff);
        long lsb = b.getLong(o + 8);
        b.order(ByteOrder.LITTLE_ENDIAN);
        return new UUID(msb, lsb);
    }

    static void putGuid(ByteBuffer b, int o, UUID u) {
        long msb = u.getMostSignificantBits();
        b.order(ByteOrder.BIG_ENDIAN);
        b.putInt(o, Integer.reverseBytes((int) (msb >>> 32)));
        b.putShort(o + 4, Short.reverseBytes((short) (msb >>> 16)));
        b.putShort(o + 6, Short.reverseBytes((short) msb));
        b.putLong(o + 8, u.getLeastSignificantBits());
        b.order(ByteOrder.LITTLE_ENDIAN);
    }
}
