package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the small boot disk of UKI boot: a GPT disk (sgdisk) with one EFI System Partition
 * (FAT16, mkfs.fat) holding the UKI as {@code \EFI\BOOT\BOOTX64.EFI} (mtools), the removable-media
 * path every UEFI firmware boots. Reproducible: fixed disk/partition GUIDs, volume id and
 * timestamps, so the same UKI gives the same bytes.
 */
public final class EspImage {
    static final String DISK_GUID = "5EA1F0E5-0000-4000-8000-000000000001";
    static final String PART_GUID = "5EA1F0E5-0000-4000-8000-000000000002";
    static final String VOLUME_ID = "5EA1F0E5";
    /** 1980-01-01T00:00:00Z, the FAT epoch: mtools stamps entries with SOURCE_DATE_EPOCH. */
    static final String FAT_EPOCH = "315532800";
    private static final long MIB = 1024 * 1024;
    private static final int FIRST_SECTOR = 2048;

    private EspImage() {}

    /** Disk geometry for a UKI of {@code ukiSize} bytes. */
    private record Layout(long espMiB, int sectorsPerCluster, long totalSectors, long lastSector) {
        static Layout of(long ukiSize, Object uki) {
            // FAT16 with 2 KiB clusters holds up to ~128 MiB; room for the file, the directories and FAT overhead
            long espMiB = Math.max(16, (ukiSize + ukiSize / 8) / MIB + 4);
            int sectorsPerCluster = 4;
            while (espMiB * 2048 / sectorsPerCluster > 65000 && sectorsPerCluster < 64) sectorsPerCluster *= 2;
            if (espMiB * 2048 / sectorsPerCluster > 65000) throw new RecipeException("uki " + uki + " is " + ukiSize + " bytes; an ESP of FAT16 holds at most ~2 GiB");
            long totalSectors = (espMiB + 2) * MIB / 512;
            return new Layout(espMiB, sectorsPerCluster, totalSectors, totalSectors - 34);
        }
    }

    /** Writes {@code target} (via a temp file + rename); the UKI is only read. */
    public static void write(Tools tools, Path uki, Path target) throws IOException {
        Layout l = Layout.of(Files.size(uki), uki);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            partition(tools, l, tmp);
            long blocks = (l.lastSector() - FIRST_SECTOR + 1) / 2;
            tools.exec("mkfs.fat", "-F", "16", "-s", l.sectorsPerCluster(), "--invariant", "-i", VOLUME_ID, "-n", "ESP",
                    "--mbr=n", "--offset=" + FIRST_SECTOR, tmp, blocks).run();
            String image = tmp + "@@" + (FIRST_SECTOR * 512L);
            tools.exec("mmd", "-i", image, "::/EFI", "::/EFI/BOOT").env("SOURCE_DATE_EPOCH", FAT_EPOCH).run();
            tools.exec("mcopy", "-i", image, uki, "::/EFI/BOOT/BOOTX64.EFI").env("SOURCE_DATE_EPOCH", FAT_EPOCH).run();
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes to {@code target} (sparse) only the partition table {@link #write} gives a disk for a UKI
     * of {@code ukiSize} bytes: the same size, GUIDs and partition, without the file system. What a
     * measurement of the disk's GPT needs, without copying the UKI.
     */
    public static void writePartitionTable(Tools tools, long ukiSize, String uki, Path target) throws IOException {
        partition(tools, Layout.of(ukiSize, uki), target);
    }

    private static void partition(Tools tools, Layout l, Path file) throws IOException {
        Files.deleteIfExists(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(l.totalSectors() * 512);
        }
        tools.exec("sgdisk", "-U", DISK_GUID, "-n", "1:" + FIRST_SECTOR + ":" + l.lastSector(), "-t", "1:ef00",
                "-u", "1:" + PART_GUID, "-c", "1:ESP", file).run();
    }

    /** Byte offset of the ESP inside the disk (for mtools {@code -i disk@@offset}). */
    public static long espOffset() {
        return FIRST_SECTOR * 512L;
    }
}
