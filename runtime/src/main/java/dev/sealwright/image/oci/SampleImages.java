package dev.sealwright.image.oci;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.tools.NativeHelpers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The sample images, built from native helpers with no network: {@code samples/images/hello}. */
public final class SampleImages {
    private SampleImages() {}

    /** Build-time entry point: {@code SampleImages DIR} writes the hello layout into DIR. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: SampleImages OUTPUT_DIR");
        Path layout = Path.of(args[0]);
        Path scratch = Files.createTempDirectory("sealwright-sample");
        try {
            if (Files.exists(layout)) AtomicFiles.deleteTree(layout);
            writeHello(layout, scratch);
        } finally {
            AtomicFiles.deleteTree(scratch);
        }
    }

    /** Writes the hello image (static /hello, Entrypoint ["/hello"]) as an OCI layout tagged "latest". */
    public static Path writeHello(Path layout, Path scratch) throws IOException {
        Path root = Files.createTempDirectory(scratch, "hello-rootfs");
        Files.copy(NativeHelpers.path("hello"), root.resolve("hello"), StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/:/hello\nhello:x:1000:1000:hello:/:/hello\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nhello:x:1000:\n");
        OciLayoutWriter.write(root, new ImageConfig(List.of("/hello"), List.of(), List.of("PATH=/", "GREETING=sealwright"), "/", "hello"),
                "latest", layout);
        return layout;
    }
}
