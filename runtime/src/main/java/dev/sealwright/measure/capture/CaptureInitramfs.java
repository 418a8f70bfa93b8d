package dev.sealwright.measure.capture;

import dev.sealwright.image.cpio.NewcCpio;
import dev.sealwright.image.oci.FsTree;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The initramfs of a capture guest (fw_cfg blobs for {@link FwCfgCapture}, the TPM log for {@link TpmLogCapture}):
 * {@code /bin/busybox}, extra read-only files (e.g. kernel modules), and {@code /init}, written next to {@code out}
 * as {@code initName} and packed as a newc cpio. The init is {@link #PREAMBLE} (busybox as {@code $B}, /proc,
 * /sys and /dev mounted) followed by what the capture reads.
 */
final class CaptureInitramfs {
    private CaptureInitramfs() {}

    static final String PREAMBLE = """
            #!/bin/busybox sh
            B=/bin/busybox
            $B mkdir -p /proc /sys /dev
            $B mount -t proc proc /proc
            $B mount -t sysfs sysfs /sys
            $B mount -t devtmpfs devtmpfs /dev
            """;

    /** {@code reads}: the init's lines after {@link #PREAMBLE}. */
    static void write(Path busybox, Map<String, Path> files, String initName, String reads, Path out) throws IOException {
        String init = PREAMBLE + reads;
        FsTree t = new FsTree();
        t.put("bin/busybox", FsTree.Node.file(0755, Files.size(busybox), busybox));
        for (Map.Entry<String, Path> f : files.entrySet()) t.put(f.getKey(), FsTree.Node.file(0644, Files.size(f.getValue()), f.getValue()));
        Path script = out.resolveSibling(initName);
        Files.writeString(script, init);
        t.put("init", FsTree.Node.file(0755, Files.size(script), script));
        try (OutputStream o = Files.newOutputStream(out)) {
            NewcCpio.write(t, 0, o);
        }
    }
}
