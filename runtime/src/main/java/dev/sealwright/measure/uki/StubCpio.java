package dev.sealwright.measure.uki;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one-file "newc" cpio archive systemd-stub (252..257, {@code cpio.c} pack_cpio_literal) wraps an
 * embedded UKI section in before handing it to the kernel as part of the initrd: a directory entry
 * for each leading component of the target directory (mode 0555) and the directory itself, then the
 * file, then the trailer. Inodes count from 1, mtime, owners and devices are 0, nlink is 1 for
 * directories too, names carry their NUL, header+name and contents are each padded to 4 bytes, and
 * the trailer's name size is written "0000000B" (upper case, unlike the other fields). No 512-byte
 * block padding. Written from reading the stub's source; checked by the PCR 9 "Linux initrd" events
 * of real boots (StackBootSpec).
 */
final class StubCpio {
    private static final String TRAILER = "070701" + "00000000".repeat(4) + "00000001" + "00000000".repeat(6) + "0000000B" + "00000000" + "TRAILER!!!\0\0\0\0";

    private StubCpio() {}

    /** {@code dir/name} holding {@code contents}, with directory mode {@code dirMode} and file mode {@code fileMode}. */
    static byte[] literal(String dir, String name, byte[] contents, int dirMode, int fileMode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 512);
        int inode = 1;
        for (int slash = dir.indexOf('/'); slash >= 0; slash = dir.indexOf('/', slash + 1))
            if (slash > 0 && dir.charAt(slash - 1) != '/') entry(out, inode++, 0555 | 0040000, dir.substring(0, slash), new byte[0]);
        entry(out, inode++, dirMode | 0040000, dir, new byte[0]);
        entry(out, inode, fileMode | 0100000, dir + "/" + name, contents);
        out.writeBytes(TRAILER.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void entry(ByteArrayOutputStream out, int inode, int mode, String path, byte[] contents) {
        byte[] name = (path + "\0").getBytes(StandardCharsets.US_ASCII);
        StringBuilder h = new StringBuilder("070701");
        for (long v : new long[] {inode, mode, 0, 0, 1, 0, contents.length, 0, 0, 0, 0, name.length, 0})
            h.append(String.format("%08x", v));
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(name);
        pad4(out);
        out.writeBytes(contents);
        pad4(out);
    }

    private static void pad4(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) out.write(0);
    }
}
