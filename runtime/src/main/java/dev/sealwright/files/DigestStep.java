package dev.sealwright.files;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes SHA256SUMS (as {@code sha256sum} does, checkable with {@code sha256sum -c}) for a file or a tree. */
public final class DigestStep implements StepType {
    @Override public String name() { return "digest"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "SHA-256 of every file, in sha256sum format"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("from", Input.class, "file or directory to hash"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("sums", "SHA256SUMS", "sha256sum-format list"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path from = ctx.path("from");
        Map<String, String> sums = Files.isDirectory(from)
                ? FileDigests.ofTree(from)
                : Map.of(from.getFileName().toString(), FileDigests.sha256Hex(from));
        AtomicFiles.write(ctx.output("sums"), FileDigests.format(sums).getBytes(StandardCharsets.UTF_8));
        ctx.log("hashed " + sums.size() + " files");
    }
}
