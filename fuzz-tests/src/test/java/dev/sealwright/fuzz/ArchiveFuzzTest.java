package dev.sealwright.fuzz;

import dev.sealwright.base.Progress;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.base.OneLine;
import dev.sealwright.files.ReproducibleTar;
import dev.sealwright.image.cpio.NewcCpio;
import dev.sealwright.image.oci.FsTree;
import dev.sealwright.image.oci.LayerApplier;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Archives: tag 0 = a newc cpio initramfs (plain or gzip) read into a tree; tag 1 = an uncompressed
 * OCI/Docker layer tar applied onto a tree (whiteouts, links, path checks). These readers are
 * streams over commons-compress and declare {@link IOException} for a stream they cannot read, which
 * the engine reports as one line; that and {@code RecipeException} are the accepted rejections.
 */
class ArchiveFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("archive");

    static Stream<Arguments> seeds() throws IOException {
        // our writers: the same small tree as a newc archive (plain and gzip) and as a reproducible tar
        Path dir = Fuzz.emptyDir("seed-tree");
        Files.createDirectories(dir.resolve("etc/ssl"));
        Files.writeString(dir.resolve("etc/hostname"), "fuzz\n");
        Files.writeString(dir.resolve("etc/ssl/.wh.certs"), "");
        Files.writeString(dir.resolve(".wh..wh..opq"), "");
        Files.createSymbolicLink(dir.resolve("etc/localtime"), Path.of("/usr/share/zoneinfo/UTC"));
        FsTree tree = new FsTree();
        tree.put("etc", FsTree.Node.directory(0755));
        tree.put("etc/hostname", FsTree.Node.file(0644, 5, dir.resolve("etc/hostname")));
        tree.put("etc/localtime", FsTree.Node.symlink("/usr/share/zoneinfo/UTC"));
        List<byte[]> s = new ArrayList<>();
        var cpio = new ByteArrayOutputStream();
        NewcCpio.write(tree, 0, cpio);
        s.add(Fuzz.tagged(0, cpio.toByteArray()));
        var gz = new ByteArrayOutputStream();
        NewcCpio.writeGzip(tree, 0, 6, gz, Progress.NONE);
        s.add(Fuzz.tagged(0, gz.toByteArray()));
        var tgz = new ByteArrayOutputStream();
        ReproducibleTar.writeTarGz(dir, 0, tgz);
        s.add(Fuzz.tagged(1, new GzipCompressorInputStream(new ByteArrayInputStream(tgz.toByteArray())).readAllBytes()));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        Path blobs = Fuzz.emptyDir("blobs");
        Fuzz.expectOneLine(() -> {
            try {
                if ((data[0] & 1) == 0) {
                    NewcCpio.read(new ByteArrayInputStream(body), blobs, "initrd.img");
                } else {
                    new LayerApplier(new FsTree(), blobs, line -> { }).apply(new ByteArrayInputStream(body), "layer.tar");
                }
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage());
                if (!OneLine.is(m)) throw new AssertionError("IOException message is not one line: " + m, e);
            }
        });
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
