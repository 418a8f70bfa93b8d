package dev.sealwright.disk.gpt;

import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Files of a disk image's EFI System partition (raw or fixed VHD), read with mtools' {@code mcopy};
 * {@code name} names the image in events and errors (the user's file when {@code image} is a converted copy).
 */
public record EspFiles(Path image, String name, GptPartition esp, Tools tools) {
    public static EspFiles open(Path image, Tools tools) throws IOException {
        return open(image, image.toString(), tools);
    }

    public static EspFiles open(Path image, String name, Tools tools) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            VhdFooter vhd = VhdFooter.readIfPresent(ch, name);
            GptDisk gpt = GptDisk.read(ch, vhd == null ? ch.size() : vhd.currentSize(), name);
            GptPartition esp = gpt.partitions().stream().filter(p -> p.type().equals(GptPartition.EFI_SYSTEM)).findFirst()
                    .orElseThrow(() -> new RecipeException(name + ": no EFI System partition"));
            return new EspFiles(image, name, esp, tools);
        }
    }

    /** The file at {@code path} ("/EFI/BOOT/BOOTX64.EFI"), or null when the ESP has none (or is not FAT). */
    public byte[] read(String path) throws IOException {
        Path dir = Files.createTempDirectory("sealwright-esp");
        try {
            Path copy = dir.resolve("file");
            ToolResult r = tools.exec("mcopy", "-n", "-i", image + "@@" + esp.firstLba() * GptDisk.LBA, "::" + path, copy).allowFailure().run();
            return r.exitCode() == 0 && Files.isRegularFile(copy) ? Files.readAllBytes(copy) : null;
        } finally {
            AtomicFiles.deleteTree(dir);
        }
    }

    /** As {@link #read}, but a missing file is one line naming the image, the partition and the path. */
    public byte[] require(String path, String why) throws IOException {
        byte[] b = read(path);
        if (b == null)
            throw new RecipeException(name + ": the EFI System partition " + esp.number() + " has no " + path.replace('/', '\\') + " (or is not FAT) " + why);
        return b;
    }
}
