package dev.sealwright.files;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Packs a directory into a byte-reproducible tar.gz. */
public final class ArchiveStep implements StepType {
    @Override public String name() { return "archive"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "pack a directory into a reproducible tar.gz"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("from", Input.class, "directory to pack").checked(OptionChecks.directory()),
                OptionSpec.optional("mtime", Long.class, 0L, "timestamp of every entry (SOURCE_DATE_EPOCH)").checked(OptionChecks.range(0, 253402300799L)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("archive", "archive.tar.gz", "the tar.gz"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path from = ctx.path("from");
        if (!Files.isDirectory(from)) throw new RecipeException(from + ": not a directory (archive packs directories)");
        AtomicFiles.write(ctx.output("archive"), out -> ReproducibleTar.writeTarGz(from, ctx.number("mtime"), out));
        ctx.log("packed " + (ReproducibleTar.sortedEntries(from).size()) + " entries");
    }
}
