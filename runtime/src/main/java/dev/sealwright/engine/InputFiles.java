package dev.sealwright.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads an input file whole; a missing or unreadable file is one {@link RecipeException} line naming it. */
public final class InputFiles {
    private InputFiles() {}

    /** {@code file}'s bytes; errors read "FILE: no such file", "FILE: permission denied" or "FILE: cannot read: REASON". */
    public static byte[] read(Path file) {
        return read(file, "file");
    }

    /** The same, naming what the file is: "FILE: no such WHAT", "FILE: cannot read the WHAT: REASON". */
    public static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RecipeException(file + ": no such " + what);
        } catch (AccessDeniedException e) {
            throw new RecipeException(file + ": permission denied" + ("file".equals(what) ? "" : " (the " + what + ")"), e);
        } catch (IOException e) {
            throw new RecipeException(file + ": cannot read" + ("file".equals(what) ? "" : " the " + what) + ": " + e.getMessage());
        }
    }
}
