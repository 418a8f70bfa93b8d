package dev.sealwright.image.uki;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;

import java.nio.charset.StandardCharsets;

/**
 * Assembles a Unified Kernel Image on systemd-stub, as ukify does: the stub's own sections (with
 * its {@code .sbat}) stay, then {@code .osrel}, {@code .cmdline}, {@code .uname}, {@code .initrd}
 * and {@code .linux} are appended in that order. Same inputs give the same bytes.
 */
public final class UkiBuilder {
    private UkiBuilder() {}

    public record Parts(byte[] stub, byte[] linux, byte[] initrd, String cmdline, String uname, String osRelease) {}

    public static byte[] build(Parts p, String stubName) {
        PeFile pe = PeFile.read(p.stub(), stubName);
        if (pe.section(".sdmagic") == null && pe.section(".sbat") == null)
            throw new RecipeException(stubName + ": does not look like systemd-stub (no .sdmagic or .sbat section)");
        if (pe.section(".linux") != null) throw new RecipeException(stubName + ": is already a UKI (has a .linux section), expected a bare stub");
        pe.addSection(".osrel", utf8(p.osRelease()));
        pe.addSection(".cmdline", utf8(p.cmdline()));
        if (p.uname() != null && !p.uname().isEmpty()) pe.addSection(".uname", utf8(p.uname()));
        pe.addSection(".initrd", p.initrd());
        pe.addSection(".linux", p.linux());
        return pe.toBytes();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
