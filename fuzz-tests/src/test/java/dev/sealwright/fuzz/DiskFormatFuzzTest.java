package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.disk.format.DiskFormat;
import dev.sealwright.disk.vhd.VhdDynamic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Disk image headers as {@code disk deploy}, {@code disk encrypt} and {@code measure vtpm --boot-disk} read a user's image:
 * {@link DiskFormat#detect} (raw, fixed or dynamic VHD, qcow2, and the formats refused by name), then, for a dynamic
 * VHD of at most 64 MiB, the expansion to raw by {@link VhdDynamic} (its footer, dynamic header and block table).
 * qcow2 goes to qemu-img, a separate process, and is fuzzed only as far as our header checks.
 */
class DiskFormatFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("disk-format");
    private static final long EXPAND_LIMIT = 64L << 20;

    static Stream<Arguments> seeds() throws Exception {
        List<byte[]> s = new ArrayList<>();
        s.add(qcow2Header());
        s.add(new byte[4096]);
        s.add("vhdxfile".getBytes(StandardCharsets.US_ASCII));
        Path dir = Fuzz.emptyDir("seed-vhd");
        for (String sub : List.of("dynamic", "fixed")) {
            Path raw = dir.resolve("raw.img"), vhd = dir.resolve(sub + ".vhd");
            Files.write(raw, new byte[1 << 20]);
            Process p = new ProcessBuilder("qemu-img", "convert", "-q", "-f", "raw", "-O", "vpc", "-o", "subformat=" + sub, raw.toString(), vhd.toString())
                    .redirectErrorStream(true).start();
            if (p.waitFor() != 0) throw new IllegalStateException("qemu-img convert -O vpc failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            s.add(Files.readAllBytes(vhd));
        }
        return Fuzz.seeds(s);
    }

    /** The first 104 bytes of a version-3 qcow2 header for a 1 MiB disk (cluster bits 16), as qemu-img writes one. */
    private static byte[] qcow2Header() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.put(new byte[]{'Q', 'F', 'I', (byte) 0xfb}).putInt(3).putLong(0).putInt(0).putInt(16).putLong(1 << 20)
                .putInt(0).putInt(1).putLong(0x30000).putLong(0x10000).putInt(1).putInt(0).putLong(0)
                .putLong(0).putLong(0).putLong(0).putInt(4).putInt(104);
        return b.array();
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        Path image = Fuzz.scratch("disk.img", data);
        Fuzz.expectOneLine(() -> {
            DiskFormat f = DiskFormat.detect(image);
            if (f != DiskFormat.VHD_DYNAMIC) return;
            try (FileChannel src = FileChannel.open(image, StandardOpenOption.READ)) {
                VhdDynamic vhd = VhdDynamic.open(src, "disk.img");
                if (vhd.size() > EXPAND_LIMIT) return;
                Path raw = Fuzz.scratch("disk.raw", new byte[0]);
                try (FileChannel out = FileChannel.open(raw, StandardOpenOption.WRITE)) {
                    vhd.copyTo(out);
                }
            }
        });
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
