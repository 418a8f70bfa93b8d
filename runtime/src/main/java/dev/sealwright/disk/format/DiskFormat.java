package dev.sealwright.disk.format;

import dev.sealwright.base.BadValueException;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.disk.vhd.VhdFooter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * The container formats a user's disk image may come in, told apart by their headers, never by the
 * file name: qcow2 by its magic {@code QFI\xfb} at offset 0, a VHD by its "conectix" footer (at the end,
 * or the copy at offset 0 a dynamic VHD keeps), anything else is a raw disk. Headers sealwright does not
 * convert (VHDX, VMDK, VDI, a qcow2 with a backing file, an external data file or encryption, a
 * differencing VHD) are refused in one line, as are sizes past {@link #MAX_SIZE}.
 */
public enum DiskFormat {
    RAW("raw", "raw disk"), VHD_FIXED("vhd-fixed", "fixed VHD"), VHD_DYNAMIC("vhd-dynamic", "dynamic VHD"), QCOW2("qcow2", "qcow2 image");

    /** Virtual disk sizes above this are refused as absurd (ext4's largest file; VHD's own limit is 2040 GiB). */
    public static final long MAX_SIZE = 16L << 40;
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    private static final byte[] VHD_COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final int QCOW2_V2_HEADER = 72;
    /** qcow2 incompatible feature bits: 1 = corrupt, 2 = external data file. */
    private static final long QCOW2_CORRUPT = 2, QCOW2_EXTERNAL_DATA = 4;

    private final String label;
    private final String description;

    DiskFormat(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** For messages: "dynamic VHD", "qcow2 image". */
    public String description() {
        return description;
    }

    /** The option value: raw, vhd-fixed, vhd-dynamic, qcow2. */
    public String label() {
        return label;
    }

    /**
     * QEMU's block driver for an image of this format: a fixed VHD is a raw disk followed by its footer,
     * which the guest then sees as one more sector; a dynamic VHD is QEMU's {@code vpc}.
     */
    public String qemuDriver() {
        return switch (this) {
            case RAW, VHD_FIXED -> "raw";
            case VHD_DYNAMIC -> "vpc";
            case QCOW2 -> "qcow2";
        };
    }

    /** Raw and fixed VHD images are read where they are; the others are converted to a raw file first. */
    public boolean readInPlace() {
        return this == RAW || this == VHD_FIXED;
    }

    /** The format named {@code value} (an option's value); {@code option} names the option in the error. */
    public static DiskFormat parse(String value, String option) {
        for (DiskFormat f : values()) if (f.label.equals(value.toLowerCase(Locale.ROOT))) return f;
        throw new BadValueException(option, option + ": unknown disk format \"" + value + "\" (raw, vhd-fixed, vhd-dynamic, qcow2)");
    }

    /** The format of {@code image}, from its header; a bad or unsupported header is one line naming the file. */
    public static DiskFormat detect(Path image) {
        InputFiles.requireImage(image, "disk image");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] head = read(ch, 0, (int) Math.min(512, size));
            if (startsWith(head, QCOW2_MAGIC)) {
                checkQcow2(head, size, image);
                return QCOW2;
            }
            String other = otherFormat(head);
            if (other != null)
                throw new RecipeException(image + ": is a " + other + " image; sealwright reads raw, VHD (fixed or dynamic) and qcow2 (convert it: qemu-img convert -O qcow2 " + image + " disk.qcow2)");
            byte[] tail = size >= VhdFooter.SIZE ? read(ch, size - VhdFooter.SIZE, VhdFooter.SIZE) : new byte[0];
            if (startsWith(tail, VHD_COOKIE)) return vhd(VhdFooter.decode(tail, image.toString()), size, image);
            if (startsWith(head, VHD_COOKIE) && size >= VhdFooter.SIZE) // a dynamic VHD whose footer at the end is damaged or cut off
                return vhd(VhdFooter.decode(head, image + " (footer copy at offset 0; the end of the file has no VHD footer: truncated?)"), size, image);
            if (size % 512 != 0) throw new RecipeException(image + ": " + size + " bytes is not a whole number of 512-byte sectors (truncated? not a disk image?)");
            if (size > MAX_SIZE) throw new RecipeException(image + ": " + size + " bytes is beyond the " + InputFiles.size(MAX_SIZE) + " disk images sealwright reads");
            return RAW;
        } catch (IOException e) {
            throw new RecipeException(image + ": cannot read: " + e.getMessage());
        }
    }

    private static DiskFormat vhd(VhdFooter f, long fileSize, Path image) {
        if (f.currentSize() == 0 || f.currentSize() > MAX_SIZE)
            throw new RecipeException(image + ": VHD footer says the disk has " + f.currentSize() + " bytes (absurd; at most " + InputFiles.size(MAX_SIZE) + ")");
        return switch (f.diskType()) {
            case VhdFooter.FIXED -> {
                if (f.currentSize() != fileSize - VhdFooter.SIZE)
                    throw new RecipeException(image + ": fixed VHD footer says " + f.currentSize() + " bytes but the file holds " + (fileSize - VhdFooter.SIZE) + " (truncated?)");
                yield VHD_FIXED;
            }
            case VhdFooter.DYNAMIC -> VHD_DYNAMIC;
            case 4 -> throw new RecipeException(image + ": not implemented in this build: differencing VHD (merge it first: qemu-img convert -O vpc " + image + " disk.vhd)");
            default -> throw new RecipeException(image + ": VHD footer has disk type " + f.diskType() + " (2 fixed, 3 dynamic)");
        };
    }

    /** Header fields of qcow2 versions 2 and 3 (QEMU's docs/interop/qcow2.txt), big-endian. */
    private static void checkQcow2(byte[] head, long fileSize, Path image) {
        if (head.length < QCOW2_V2_HEADER) throw new RecipeException(image + ": qcow2 header cut off (" + fileSize + " bytes)");
        ByteBuffer h = ByteBuffer.wrap(head);
        int version = h.getInt(4);
        if (version != 2 && version != 3) throw new RecipeException(image + ": qcow2 version " + version + " (2 and 3 exist)");
        if (h.getLong(8) != 0) throw new RecipeException(image + ": qcow2 with a backing file; flatten it first (qemu-img convert -O qcow2 " + image + " flat.qcow2)");
        int clusterBits = h.getInt(20);
        if (clusterBits < 9 || clusterBits > 21) throw new RecipeException(image + ": qcow2 cluster bits " + clusterBits + " (9..21)");
        long size = h.getLong(24);
        if (size <= 0 || size % 512 != 0 || size > MAX_SIZE)
            throw new RecipeException(image + ": qcow2 header says the disk has " + Long.toUnsignedString(size) + " bytes (absurd; a whole number of sectors up to " + InputFiles.size(MAX_SIZE) + ")");
        if (h.getInt(32) != 0) throw new RecipeException(image + ": encrypted qcow2 (method " + h.getInt(32) + "); decrypt it first (qemu-img convert)");
        long l1 = h.getLong(40), refcounts = h.getLong(48);
        if (l1 < 0 || l1 >= fileSize || refcounts < 0 || refcounts >= fileSize)
            throw new RecipeException(image + ": qcow2 tables lie beyond the file's " + fileSize + " bytes (truncated?)");
        if (version == 3) {
            if (head.length < 104) throw new RecipeException(image + ": qcow2 v3 header cut off (" + fileSize + " bytes)");
            long incompatible = h.getLong(72);
            if ((incompatible & QCOW2_CORRUPT) != 0) throw new RecipeException(image + ": qcow2 marked corrupt (qemu-img check -r all repairs what it can)");
            if ((incompatible & QCOW2_EXTERNAL_DATA) != 0) throw new RecipeException(image + ": qcow2 with an external data file; convert it first (qemu-img convert -O qcow2)");
        }
    }

    private static String otherFormat(byte[] head) {
        if (startsWith(head, "vhdxfile".getBytes(StandardCharsets.US_ASCII))) return "VHDX";
        if (startsWith(head, "KDMV".getBytes(StandardCharsets.US_ASCII)) || startsWith(head, "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII))) return "VMDK";
        if (head.length >= 68 && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(64) == 0xbeda107f) return "VDI";
        return null;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(Arrays.copyOf(b, prefix.length), prefix);
    }

    private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) { }
        return b.array();
    }
}
