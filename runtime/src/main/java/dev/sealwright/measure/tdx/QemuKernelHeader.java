package dev.sealwright.measure.tdx;

import dev.sealwright.base.RecipeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The setup-header bytes QEMU's x86_load_linux rewrites before serving a {@code -kernel} image
 * through fw_cfg (what OVMF then measures into RTMR1).
 * <ul>
 * <li>A Linux image (boot protocol >= 2.02 with LOADED_HIGH, every current kernel): type_of_loader,
 * CAN_USE_HEAP, heap_end_ptr, cmd_line_ptr, with an initrd ramdisk_image/ramdisk_size, and the
 * video mode of a {@code vga=} on the command line.</li>
 * <li>Any other image (protocol 0: a UKI) before QEMU's "x86/loader: only patch linux kernels"
 * (upstream 9.0, stable 7.2.17 and later): the old command-line protocol's magic 0xA33F at 0x20 and
 * the command line's offset from 0x90000 at 0x22, and the {@code vga=} mode.</li>
 * </ul>
 */
public final class QemuKernelHeader {
    private static final long REAL_ADDR = 0x10000, CMDLINE_ADDR = 0x20000;
    /** Low-memory layout QEMU uses for images without a (recent) Linux header. */
    private static final long LOW_REAL_ADDR = 0x90000, LOW_CMDLINE_END = 0x9A000;
    /** QEMU q35: ACPI tables area below 4 GiB that the initrd must stay under. */
    private static final long ACPI_DATA_SIZE = 0x20000 + 0x8000;

    private QemuKernelHeader() {}

    /** True for a Linux image: "HdrS" at 0x202 and a boot protocol > 0. */
    public static boolean isLinux(byte[] k) {
        return k.length > 0x240 && k[0x202] == 'H' && k[0x203] == 'd' && k[0x204] == 'r' && k[0x205] == 'S' && protocol(k) > 0;
    }

    private static int protocol(byte[] k) {
        return (k[0x206] & 0xFF) | (k[0x207] & 0xFF) << 8;
    }

    /**
     * Bytes at the start of an image that hold every byte QEMU's patch may change (the setup header ends
     * before 0x280): {@link #patchedHead} returns that many (fewer for a shorter image), the rest of the
     * image is served unchanged.
     */
    public static final int HEAD = 0x1000;

    /** A patched copy of the Linux image {@code kernel} as QEMU serves it (setup then kernel data, concatenated); {@code cmdline} is -append (null: none). */
    public static byte[] patch(byte[] kernel, String source, long ramBytes, Long initrdSize, String cmdline) {
        return withHead(kernel, patchedHead(kernel, source, ramBytes, initrdSize, cmdline));
    }

    /**
     * The first {@link #HEAD} bytes of {@link #patch}'s image, without copying the rest (which QEMU
     * serves unchanged): for hashing a large image in place.
     */
    public static byte[] patchedHead(byte[] kernel, String source, long ramBytes, Long initrdSize, String cmdline) {
        if (!isLinux(kernel)) throw new RecipeException(source + ": not a Linux kernel image (no setup header)");
        ByteBuffer b = ByteBuffer.wrap(head(kernel)).order(ByteOrder.LITTLE_ENDIAN);
        int protocol = protocol(kernel);
        if (protocol < 0x202 || (kernel[0x211] & 0x01) == 0)
            throw new RecipeException(source + ": not implemented in this build: QEMU header patching for boot protocol "
                    + Integer.toHexString(protocol) + " without LOADED_HIGH");
        b.putInt(0x228, (int) CMDLINE_ADDR);
        videoMode(b, cmdline);
        b.put(0x210, (byte) 0xB0);
        b.put(0x211, (byte) (kernel[0x211] | 0x80));
        b.putShort(0x224, (short) (CMDLINE_ADDR - REAL_ADDR - 0x200));
        if (initrdSize != null) {
            long max;
            if (protocol >= 0x20C && (Short.toUnsignedInt(b.getShort(0x236)) & 0x02) != 0) max = 0xFFFFFFFFL;
            else if (protocol >= 0x203) max = Integer.toUnsignedLong(b.getInt(0x22C));
            else max = 0x37FFFFFFL;
            long below4g = TdHob.split(ramBytes)[0];
            max = Math.min(max, below4g - ACPI_DATA_SIZE - 1);
            if (initrdSize > max) throw new RecipeException("initrd of " + initrdSize + " bytes does not fit below 0x" + Long.toHexString(max));
            b.putInt(0x218, (int) ((max - initrdSize) & ~0xFFFL));
            b.putInt(0x21C, (int) (long) initrdSize);
        }
        return b.array();
    }

    /** As {@link #patch(byte[], String, long, Long, String)} without -append. */
    public static byte[] patch(byte[] kernel, String source, long ramBytes, Long initrdSize) {
        return patch(kernel, source, ramBytes, initrdSize, null);
    }

    /**
     * A non-Linux image (a UKI) as a QEMU without "only patch linux kernels" serves it: protocol 0
     * means real-mode address 0x90000 and the command line (length rounded up to 16 with room for
     * its NUL) just below 0x9A000, announced the pre-2.02 way at 0x20/0x22. QEMU refuses an initrd.
     */
    public static byte[] patchNonLinux(byte[] image, String source, String cmdline) {
        return withHead(image, patchedHeadNonLinux(image, source, cmdline));
    }

    /** The first {@link #HEAD} bytes of {@link #patchNonLinux}'s image, without copying the rest. */
    public static byte[] patchedHeadNonLinux(byte[] image, String source, String cmdline) {
        return patchedHeadNonLinux(head(image), image.length, source, cmdline);
    }

    /**
     * {@link #patchedHeadNonLinux(byte[], String, String)} of an image of {@code length} bytes that starts with
     * {@code start} (its first {@link #HEAD} bytes, or all of a shorter image).
     */
    public static byte[] patchedHeadNonLinux(byte[] start, long length, String source, String cmdline) {
        if (isLinux(start)) throw new RecipeException(source + ": a Linux kernel image, patched as one");
        int setup = ((start.length > 0x1F1 && start[0x1F1] != 0 ? start[0x1F1] & 0xFF : 4) + 1) * 512;
        if (setup > length) throw new RecipeException(source + ": QEMU refuses it (\"invalid kernel header\": " + setup + " setup bytes > file size)");
        ByteBuffer b = ByteBuffer.wrap(head(start)).order(ByteOrder.LITTLE_ENDIAN);
        long cmdlineSize = (bytes(cmdline) + 16) & ~15L;
        b.putShort(0x20, (short) 0xA33F);
        b.putShort(0x22, (short) (LOW_CMDLINE_END - cmdlineSize - LOW_REAL_ADDR));
        videoMode(b, cmdline);
        return b.array();
    }

    private static byte[] head(byte[] image) {
        return java.util.Arrays.copyOf(image, Math.min(image.length, HEAD));
    }

    private static byte[] withHead(byte[] image, byte[] head) {
        byte[] out = image.clone();
        System.arraycopy(head, 0, out, 0, head.length);
        return out;
    }

    private static int bytes(String cmdline) {
        return cmdline == null ? 0 : cmdline.getBytes(StandardCharsets.UTF_8).length;
    }

    /** QEMU's "vga=" handling: the first occurrence anywhere in the command line sets vid_mode (0x1FA). */
    private static void videoMode(ByteBuffer b, String cmdline) {
        if (cmdline == null) return;
        int at = cmdline.indexOf("vga=");
        if (at < 0) return;
        String v = cmdline.substring(at + 4);
        int mode;
        if (v.startsWith("normal")) mode = 0xFFFF;
        else if (v.startsWith("ext")) mode = 0xFFFE;
        else if (v.startsWith("ask")) mode = 0xFFFD;
        else mode = number(v.split(" ", 2)[0]);
        b.putShort(0x1FA, (short) mode);
    }

    /** strtoul with base 0 over the whole word, as QEMU's qemu_strtoui requires (else QEMU exits). */
    private static int number(String word) {
        try {
            long n;
            if (word.startsWith("0x") || word.startsWith("0X")) n = Long.parseLong(word.substring(2), 16);
            else if (word.length() > 1 && word.startsWith("0")) n = Long.parseLong(word.substring(1), 8);
            else n = Long.parseLong(word, 10);
            if (n < 0 || n > 0xFFFFFFFFL || word.startsWith("+")) throw new NumberFormatException();
            return (int) n;
        } catch (NumberFormatException e) {
            throw new RecipeException("cmdline: QEMU refuses it (\"invalid 'vga=' kernel parameter\": vga=" + word + ")");
        }
    }
}
