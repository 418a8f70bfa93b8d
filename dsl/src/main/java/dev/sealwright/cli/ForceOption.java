package dev.sealwright.cli;

import dev.sealwright.base.RecipeException;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** {@code --force} for verbs that write named outputs: an existing output file is replaced only with it. */
public class ForceOption {
    @Option(names = "--force", description = "replace output files that already exist (default: refuse)")
    public boolean force;

    /** One line naming the first output that exists (null entries are outputs not asked for), unless --force. */
    public void refuseExisting(Path... outputs) {
        if (force) return;
        for (Path p : outputs) {
            if (p != null && Files.exists(p, LinkOption.NOFOLLOW_LINKS))
                throw new RecipeException(p + ": already exists; not overwriting it (add --force to replace it)");
        }
    }
}
