package dev.sealwright.files;

import dev.sealwright.base.ProgressInputStream;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Unpacks a tar or tar.gz archive, refusing entries that would land outside the output directory. */
public final class ExtractStep implements StepType {
    @Override public String name() { return "extract"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "unpack a tar or tar.gz archive safely"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("archive", Input.class, "tar or tar.gz file").checked(OptionChecks.regularFile()));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.directory("files", "files", "the unpacked tree"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path archive = ctx.path("archive");
        long total = Files.size(archive);
        try (InputStream raw = new ProgressInputStream(Files.newInputStream(archive), (done, all) -> ctx.progress(done, all, "bytes"), 0, total)) {
            SafeExtractor.Summary s = new SafeExtractor(ctx.output("files"), archive.getFileName().toString(), ctx::log)
                    .extractTar(decompressed(raw, archive));
            ctx.log("extracted " + s.files() + " files, " + s.directories() + " directories, " + s.symlinks() + " symlinks");
        } catch (IOException e) {
            throw new RecipeException(archive + ": not a readable tar archive: " + e.getMessage(), e);
        }
    }

    static InputStream decompressed(InputStream raw, Path archive) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new GzipCompressorInputStream(in, true);
        if (b0 < 0) throw new RecipeException(archive + ": empty file, not an archive");
        return in;
    }
}
