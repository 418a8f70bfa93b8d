package dev.sealwright.cloud;

import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.shim.GrubBootConfig;
import dev.sealwright.measure.vtpm.ShimChain;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a cloud-image-shaped GPT disk that boots shim → GRUB → kernel: partition 1 is the EFI System
 * partition (FAT16, mkfs.fat + mtools) with shim as {@code \EFI\BOOT\BOOTX64.EFI}, GRUB as
 * {@code \EFI\BOOT\grubx64.efi} (shim loads it from its own directory), {@code \EFI\debian\grub.cfg}
 * (Debian's signed GRUB is a monolithic image whose prefix is /EFI/debian on the partition it was
 * started from) and the kernel and initrd it names; partition 2 is the root partition (Linux
 * filesystem type), holding {@code root} as is when given (e.g. an ext4 image), else zeros. The kernel
 * and initrd sit on the ESP so that the root can be encrypted (Debian's signed GRUB has no key to open
 * it). Reproducible: fixed GUIDs, FAT volume id and timestamps.
 */
public final class ShimCloudDisk {
    static final String DISK_GUID = "5EA1F0E5-0000-4000-8000-0000000000D1";
    static final String ESP_GUID = "5EA1F0E5-0000-4000-8000-0000000000E1";
    static final String ROOT_GUID = "5EA1F0E5-0000-4000-8000-0000000000F2";
    static final String VOLUME_ID = "5EA1F0E6";
    static final String FAT_EPOCH = "315532800";
    static final long MIB = 1024 * 1024;
    static final int FIRST_SECTOR = 2048;

    private ShimCloudDisk() {}

    public record Inputs(Path shim, Path grub, Path kernel, Path initrd, GrubBootConfig config, Path root, long rootMiB) {}

    /** Writes {@code target} through a temp file + rename; never replaces an existing file (the caller decides). */
    public static void write(Tools tools, Inputs in, Path target) throws IOException {
        long content = Files.size(in.shim()) + Files.size(in.grub()) + Files.size(in.kernel()) + Files.size(in.initrd());
        long espMiB = Math.max(32, (content + content / 4) / MIB + 8);
        long rootMiB = in.root() == null ? in.rootMiB() : Math.max(in.rootMiB(), (Files.size(in.root()) + MIB - 1) / MIB);
        if (rootMiB < 1) throw new RecipeException("root partition size: at least 1 MiB");
        long espEnd = FIRST_SECTOR + espMiB * 2048 - 1;
        long rootStart = espEnd + 1, rootEnd = rootStart + rootMiB * 2048 - 1;
        long total = (rootEnd + 1 + 2048) * 512;
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
                f.setLength(total);
            }
            tools.exec("sgdisk", "-U", DISK_GUID,
                    "-n", "1:" + FIRST_SECTOR + ":" + espEnd, "-t", "1:ef00", "-u", "1:" + ESP_GUID, "-c", "1:ESP",
                    "-n", "2:" + rootStart + ":" + rootEnd, "-t", "2:8300", "-u", "2:" + ROOT_GUID, "-c", "2:root", tmp).run();
            tools.exec("mkfs.fat", "-F", "16", "-s", 4, "--invariant", "-i", VOLUME_ID, "-n", "ESP",
                    "--mbr=n", "--offset=" + FIRST_SECTOR, tmp, espMiB * 1024).run();
            String esp = tmp + "@@" + (FIRST_SECTOR * 512L);
            Path cfg = Files.createTempFile(target.getParent(), "grub", ".cfg");
            try {
                Files.writeString(cfg, in.config().text());
                mtools(tools, "mmd", "-i", esp, "::/EFI", "::/EFI/BOOT", "::/EFI/debian");
                mkdirs(tools, esp, in.config().kernel());
                mkdirs(tools, esp, in.config().initrd());
                mtools(tools, "mcopy", "-i", esp, in.shim(), "::" + ShimChain.SHIM_PATH);
                mtools(tools, "mcopy", "-i", esp, in.grub(), "::" + ShimChain.GRUB_PATH);
                mtools(tools, "mcopy", "-i", esp, cfg, "::" + ShimChain.CONFIG_PATH);
                mtools(tools, "mcopy", "-i", esp, in.kernel(), "::" + in.config().kernel());
                mtools(tools, "mcopy", "-i", esp, in.initrd(), "::" + in.config().initrd());
            } finally {
                Files.deleteIfExists(cfg);
            }
            if (in.root() != null) {
                try (FileChannel src = FileChannel.open(in.root(), StandardOpenOption.READ);
                     FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    long pos = 0, size = src.size();
                    while (pos < size) pos += src.transferTo(pos, size - pos, dst.position(rootStart * 512 + pos));
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates the ESP directories above {@code file} (an existing one is skipped: mmd -D s). */
    private static void mkdirs(Tools tools, String esp, String file) {
        String dir = file.substring(0, file.lastIndexOf('/'));
        StringBuilder p = new StringBuilder();
        for (String part : dir.split("/")) {
            if (part.isEmpty()) continue;
            p.append('/').append(part);
            if (p.toString().equals("/EFI") || p.toString().equals("/EFI/BOOT") || p.toString().equals("/EFI/debian")) continue;
            tools.exec("mmd", "-D", "s", "-i", esp, "::" + p).env("SOURCE_DATE_EPOCH", FAT_EPOCH).env("MTOOLS_SKIP_CHECK", "1").allowFailure().run();
        }
    }

    private static void mtools(Tools tools, Object... args) {
        Object[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        tools.exec((String) args[0], rest).env("SOURCE_DATE_EPOCH", FAT_EPOCH).env("MTOOLS_SKIP_CHECK", "1").run();
    }
}
