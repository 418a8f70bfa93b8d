package dev.sealwright.tpm;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The files tpm2-tools exchange: a TPM2B_PUBLIC ({@code tpm2_readpublic -o}), and the three files of a
 * duplication blob named as {@code tpm2_duplicate} names them: {@code sealed.pub}, {@code sealed.dpriv},
 * {@code sealed.seed}.
 */
public final class SealedFiles {
    public static final String PUBLIC = "sealed.pub";
    public static final String DUPLICATE = "sealed.dpriv";
    public static final String SEED = "sealed.seed";

    private SealedFiles() {}

    /** TPM2B_PUBLIC: a 16-bit size and at most 65535 bytes. */
    public static final InputFiles.Bound PUBLIC_BOUND = new InputFiles.Bound("a TPM2B_PUBLIC", 2 + 0xFFFF);

    public static TpmPublic readPublic(Path file) {
        byte[] bytes = InputFiles.read(file, PUBLIC_BOUND);
        try {
            return TpmPublic.fromSizedBytes(bytes);
        } catch (TpmFormatException e) {
            throw new RecipeException(file + ": not a TPM2B_PUBLIC (as tpm2_readpublic -o writes): " + e.getMessage());
        }
    }

    /** Writes the three files 0600, atomically; refuses to replace existing ones unless {@code overwrite}. */
    public static void write(Path dir, OfflineSeal.SealedBlob blob, boolean overwrite) {
        if (!overwrite) {
            for (String f : List.of(PUBLIC, DUPLICATE, SEED)) {
                if (Files.exists(dir.resolve(f))) throw new RecipeException(dir.resolve(f) + ": exists; not overwriting (use --force)");
            }
        }
        try {
            AtomicFiles.writeSecret(dir.resolve(PUBLIC), blob.sealedPublic().toSizedBytes(), overwrite);
            AtomicFiles.writeSecret(dir.resolve(DUPLICATE), blob.duplicate().toSizedBytes(), overwrite);
            AtomicFiles.writeSecret(dir.resolve(SEED), blob.seed().toSizedBytes(), overwrite);
        } catch (FileAlreadyExistsException e) {
            throw new RecipeException(e.getFile() + ": exists; not overwriting (use --force)");
        } catch (IOException e) {
            throw new RecipeException(dir + ": cannot write the sealed blob: " + e.getMessage());
        }
    }
}
