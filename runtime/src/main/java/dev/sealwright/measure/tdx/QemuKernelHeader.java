package dev.sealwright.measure.tdx;

import dev.sealwright.engine.RecipeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Linux setup-header fields QEMU's x86_load_linux rewrites before serving the kernel through
 * fw_cfg (what OVMF then measures into RTMR1): type_of_loader, CAN_USE_HEAP, heap_end_ptr,
 * cmd_line_ptr and, with an initrd, ramdisk_image/ramdisk_size. Only the boot-protocol >= 2.02
 * LOADED_HIGH layout of every current kernel is modelled.
 */
public final class QemuKernelHeader {
    private static final long REAL_ADDR = 0x10000, CMDLINE_ADDR = 0x20000;
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

    /** A patched copy of {@code kernel} as QEMU serves it (setup then kernel data, concatenated). */
    public static byte[] patch(byte[] kernel, String source, long ramBytes, Long initrdSize) {
        if (!isLinux(kernel)) throw new RecipeException(source + ": not a Linux kernel image (no setup header)");
        ByteBuffer b = ByteBuffer.wrap(kernel.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int protocol = protocol(kernel);
        if (protocol < 0x202 || (kernel[0x211] & 0x01) == 0)
            throw new RecipeException(source + ": not implemented in this build: QEMU header patching for boot protocol "
                    + Integer.toHexString(protocol) + " without LOADED_HIGH");
        b.put(0x210, (byte) 0xB0);
        b.put(0x211, (byte) (kernel[0x211] | 0x80));
        b.putShort(0x224, (short) (CMDLINE_ADDR - REAL_ADDR - 0x200));
        b.putInt(0x228, (int) CMDLINE_ADDR);
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
}
