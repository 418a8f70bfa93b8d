package dev.sealwright.disk.format;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.disk.vhd.VhdDynamic;
import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.tools.ToolFailedException;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A disk image of any {@link DiskFormat} seen as a raw disk: {@link #path} holds the disk's bytes from
 * offset 0 ({@link #size} of them; a fixed VHD's footer follows them). Raw and fixed VHD images are the
 * image itself; a dynamic VHD is expanded by the VHD codec ({@link VhdDynamic}, checked against qemu-img)
 * and a qcow2 by {@code qemu-img convert -f qcow2 -O raw} into a sparse temp file, deleted on
 * {@link #close}. Temp files are named after this process ({@link AtomicFiles#tempFile}), so one a killed
 * run left is removed by the next conversion into the same directory.
 */
public record RawDisk(Path image, DiskFormat format, Path path, long size, boolean temporary) implements AutoCloseable {
    /** Where conversions for reading go: {@code .sealwright-disk.PID-N.raw} in the temp directory. */
    private static final String READ_TEMP = "sealwright-disk";
    private static final long VHD_EPOCH = 946684800L;

    /** The program that reads and writes qcow2 images. */
    public static final String QEMU_IMG = "qemu-img";

    /**
     * The tools reading or writing {@code image} takes: qemu-img for a qcow2, and for an image that is not there
     * yet ({@code null}: another step's output, whose format is known only once that step has run). A file that
     * is no readable disk image takes none (it is refused when read).
     */
    public static List<String> tools(Path image) {
        if (image == null) return List.of(QEMU_IMG);
        try {
            return DiskFormat.detect(image) == DiskFormat.QCOW2 ? List.of(QEMU_IMG) : List.of();
        } catch (RecipeException e) {
            return List.of();
        }
    }

    /** {@code image} as a raw disk, for reading; converted (into the temp directory) only when it must be. */
    public static RawDisk open(Path image, Tools tools) throws IOException {
        DiskFormat f = DiskFormat.detect(image);
        if (f.readInPlace()) return new RawDisk(image, f, image, diskSize(image, f), false);
        return convert(image, f, Path.of(System.getProperty("java.io.tmpdir"), READ_TEMP), tools);
    }

    /** {@code image} (of format {@code f}) copied or converted into a new raw temp file beside {@code near}, for writing. */
    public static RawDisk convert(Path image, DiskFormat f, Path near, Tools tools) throws IOException {
        Path tmp = AtomicFiles.tempFile(near, ".raw");
        try {
            switch (f) {
                case RAW, VHD_FIXED -> {
                    Files.copy(image, tmp, StandardCopyOption.REPLACE_EXISTING);
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        ch.truncate(diskSize(image, f));
                    }
                }
                case VHD_DYNAMIC -> {
                    try (FileChannel src = FileChannel.open(image, StandardOpenOption.READ);
                         FileChannel raw = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        VhdDynamic.open(src, image.toString()).copyTo(raw);
                    }
                }
                case QCOW2 -> {
                    checkQcow2(image, tools);
                    qemuImg(tools, image, "qemu-img cannot read it as qcow2", "convert", "-q", "-f", "qcow2", "-O", "raw", image, tmp);
                }
            }
            return new RawDisk(image, f, tmp, Files.size(tmp), true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            if (String.valueOf(e.getMessage()).contains("No space left")) throw new RecipeException(tmp.getParent() + ": no space left on device to convert " + image + " to a raw disk");
            throw e;
        }
    }

    /**
     * Writes the raw disk {@code raw} to {@code target} as {@code f} (temp file + rename; the caller has
     * checked that {@code target} may be written). A VHD gets {@code unixTime} and {@code uniqueId} in its
     * footer; the other formats carry no such fields, so the same raw bytes give the same file.
     */
    public static void write(Path raw, DiskFormat f, Path target, long unixTime, UUID uniqueId, Tools tools) throws IOException {
        Path tmp = AtomicFiles.tempFile(target, ".tmp");
        try {
            long size = Files.size(raw);
            switch (f) {
                case RAW -> Files.copy(raw, tmp, StandardCopyOption.REPLACE_EXISTING);
                case VHD_FIXED -> {
                    Files.copy(raw, tmp, StandardCopyOption.REPLACE_EXISTING);
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(VhdFooter.fixed(size, unixTime, uniqueId).encode()), size);
                    }
                }
                case VHD_DYNAMIC -> {
                    try (FileChannel src = FileChannel.open(raw, StandardOpenOption.READ);
                         FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        VhdDynamic.write(src, size, dst, unixTime, uniqueId);
                    }
                }
                case QCOW2 -> qemuImg(tools, target, "qemu-img cannot write it", "convert", "-q", "-f", "raw", "-O", "qcow2", raw, tmp);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            AtomicFiles.move(tmp, target);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) throw new RecipeException(target + ": no space left on device; no output written");
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The timestamp a VHD written from this disk keeps: the input VHD's footer's, else the VHD epoch
     * (2000-01-01), so that a VHD made from another format is reproducible.
     */
    public long vhdTimestamp() throws IOException {
        if (format != DiskFormat.VHD_FIXED && format != DiskFormat.VHD_DYNAMIC) return VHD_EPOCH;
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            if (format == DiskFormat.VHD_DYNAMIC) return VhdDynamic.open(ch, image.toString()).footer().timestamp();
            return VhdFooter.readIfPresent(ch, image.toString()).timestamp();
        }
    }

    /** The disk's bytes in the file: a fixed VHD without its footer. */
    private static long diskSize(Path image, DiskFormat f) throws IOException {
        long size = Files.size(image);
        return f == DiskFormat.VHD_FIXED ? size - VhdFooter.SIZE : size;
    }

    /**
     * {@code qemu-img convert} reads clusters past the end of a truncated qcow2 as zeros and succeeds;
     * {@code qemu-img check} finds them (exit 2: corruptions; 3, leaked clusters only, is harmless).
     */
    private static void checkQcow2(Path image, Tools tools) {
        ToolResult r = tools.exec("qemu-img", "check", "-f", "qcow2", "--output=json", image).timeout(Duration.ofHours(1)).allowFailure().run();
        if (r.exitCode() == 0 || r.exitCode() == 3) return;
        Matcher m = Pattern.compile("\"corruptions\": (\\d+)").matcher(r.stdout());
        if (m.find()) throw new RecipeException(image + ": qemu-img check finds " + m.group(1) + " corruptions in this qcow2 (truncated or damaged; no conversion)");
        String err = r.stderr().strip();
        throw new RecipeException(image + ": qemu-img cannot check it as qcow2: " + (err.isEmpty() ? "exit " + r.exitCode() : err.substring(err.lastIndexOf('\n') + 1)));
    }

    private static void qemuImg(Tools tools, Path named, String what, Object... args) {
        try {
            tools.exec("qemu-img", args).timeout(Duration.ofHours(2)).run();
        } catch (ToolFailedException e) {
            String msg = e.getMessage().strip();
            throw new RecipeException(named + ": " + what + ": " + msg.substring(msg.lastIndexOf('\n') + 1));
        }
    }

    @Override
    public void close() throws IOException {
        if (temporary) Files.deleteIfExists(path);
    }
}
