package dev.sealwright.vm;

import dev.sealwright.disk.gpt.EspLayout;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes the small boot disk of UKI boot: a GPT disk ({@link EspLayout}, written in Java) with one EFI System Partition
 * (FAT16, mkfs.fat) holding the UKI as {@code \EFI\BOOT\BOOTX64.EFI} (mtools), the removable-media
 * path every UEFI firmware boots. Reproducible: fixed disk/partition GUIDs, volume id and
 * timestamps, so the same UKI gives the same bytes.
 */
public final class EspImage {
    static final String VOLUME_ID = "5EA1F0E5";
    /** 1980-01-01T00:00:00Z, the FAT epoch: mtools stamps entries with SOURCE_DATE_EPOCH. */
    static final String FAT_EPOCH = "315532800";
    private static final int FIRST_SECTOR = EspLayout.FIRST_SECTOR;

    private EspImage() {}

    /** Writes {@code target} (via a temp file + rename); the UKI is only read. */
    public static void write(Tools tools, Path uki, Path target) throws IOException {
        EspLayout l = EspLayout.of(Files.size(uki), uki);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            partition(l, tmp);
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

    private static void partition(EspLayout l, Path file) throws IOException {
        Files.deleteIfExists(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(l.totalSectors() * 512);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            l.table().write(ch);
        }
    }

    /** Byte offset of the ESP inside the disk (for mtools {@code -i disk@@offset}). */
    public static long espOffset() {
        return EspLayout.espOffset();
    }
}
