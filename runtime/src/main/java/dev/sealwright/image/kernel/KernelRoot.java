package dev.sealwright.image.kernel;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A kernel root as the kernel step unpacks it: {@code boot/vmlinuz-R} and {@code lib/modules/R}. */
public final class KernelRoot {
    private KernelRoot() {}

    /** The one R with boot/vmlinuz-R under a kernel root. */
    public static String release(Path kernelRoot) throws IOException {
        Path boot = kernelRoot.resolve("boot");
        if (!Files.isDirectory(boot)) throw new RecipeException(kernelRoot + ": not a kernel directory (no boot/vmlinuz-*)");
        try (Stream<Path> st = Files.list(boot)) {
            List<String> r = st.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-")).sorted().toList();
            if (r.size() != 1) throw new RecipeException(kernelRoot + ": expected exactly one boot/vmlinuz-*, found " + r);
            return r.get(0).substring(8);
        }
    }
}
