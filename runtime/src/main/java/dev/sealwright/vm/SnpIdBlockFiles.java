package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of an {@code snp.idblock} output directory that QEMU's {@code sev-snp-guest} takes as
 * {@code id-block} and {@code id-auth} (base64). The step writes them; the launch reads them.
 */
public final class SnpIdBlockFiles {
    public static final String ID_BLOCK = "id-block.base64", ID_AUTH = "id-auth.base64";

    private SnpIdBlockFiles() {}

    /** The {@code id-block} and {@code id-auth} values QEMU takes, read from an snp.idblock output directory. */
    public static String[] readForQemu(Path dir) {
        try {
            return new String[]{Files.readString(dir.resolve(ID_BLOCK)).strip(), Files.readString(dir.resolve(ID_AUTH)).strip()};
        } catch (IOException e) {
            throw new RecipeException(dir + ": not an snp.idblock output (" + ID_BLOCK + ", " + ID_AUTH + "): " + e.getMessage());
        }
    }
}
