package dev.sealwright.disk.gpt;

import dev.sealwright.base.RecipeException;

import java.util.List;
import java.util.UUID;

/**
 * The geometry of the small boot disk {@code sealwright launch} writes to boot a UKI: a GPT disk with one
 * EFI System Partition (FAT16) from sector 2048 to the end, with fixed disk and partition GUIDs so that the
 * same UKI size gives the same table. Computed here, without sgdisk, so that a prediction of the boot's
 * GPT event needs no external tool; sgdisk is the test oracle for {@link #table()}.
 */
public record EspLayout(long espMiB, int sectorsPerCluster, long totalSectors, long lastSector) {
    public static final UUID DISK_GUID = UUID.fromString("5EA1F0E5-0000-4000-8000-000000000001");
    public static final UUID PART_GUID = UUID.fromString("5EA1F0E5-0000-4000-8000-000000000002");
    public static final int FIRST_SECTOR = 2048;
    private static final long MIB = 1024 * 1024;

    /** The layout for a UKI of {@code ukiSize} bytes; {@code uki} names it in the error. */
    public static EspLayout of(long ukiSize, Object uki) {
        // FAT16 with 2 KiB clusters holds up to ~128 MiB; room for the file, the directories and FAT overhead
        long espMiB = Math.max(16, (ukiSize + ukiSize / 8) / MIB + 4);
        int sectorsPerCluster = 4;
        while (espMiB * 2048 / sectorsPerCluster > 65000 && sectorsPerCluster < 64) sectorsPerCluster *= 2;
        if (espMiB * 2048 / sectorsPerCluster > 65000) throw new RecipeException("uki " + uki + " is " + ukiSize + " bytes; an ESP of FAT16 holds at most ~2 GiB");
        long totalSectors = (espMiB + 2) * MIB / 512;
        return new EspLayout(espMiB, sectorsPerCluster, totalSectors, totalSectors - 34);
    }

    /** The partition table: what {@code sgdisk -U DISK -n 1:2048:LAST -t 1:ef00 -u 1:PART -c 1:ESP} writes. */
    public GptDisk table() {
        GptPartition esp = new GptPartition(1, GptPartition.EFI_SYSTEM, PART_GUID, FIRST_SECTOR, lastSector, 0, "ESP");
        return new GptDisk(totalSectors, DISK_GUID, 34, totalSectors - 34, 128, List.of(esp));
    }

    /** Byte offset of the ESP inside the disk. */
    public static long espOffset() {
        return FIRST_SECTOR * 512L;
    }
}
