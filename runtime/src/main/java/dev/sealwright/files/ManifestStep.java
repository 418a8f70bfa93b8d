package dev.sealwright.files;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes a tree as JSON (path, size, sha256, executable) after checking it against a SHA256SUMS
 * list: a file missing, extra or with another digest fails the step, naming the file.
 */
public final class ManifestStep implements StepType {
    @Override public String name() { return "manifest"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "JSON manifest of a tree, checked against SHA256SUMS"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("files", Input.class, "directory to describe").checked(OptionChecks.directory()),
                OptionSpec.optional("sums", Input.class, null, "SHA256SUMS the tree must match").checked(OptionChecks.regularFile()),
                OptionSpec.optional("title", String.class, "", "title recorded in the manifest"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("manifest", "manifest.json", "the manifest"),
                OutputSpec.value("count", "number of files"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path dir = ctx.path("files");
        Map<String, String> actual = FileDigests.ofTree(dir);
        Path sumsFile = ctx.path("sums");
        if (sumsFile != null) {
            Map<String, String> expected = FileDigests.parse(Files.readString(sumsFile, StandardCharsets.UTF_8), sumsFile.getFileName().toString());
            for (var e : expected.entrySet()) {
                String got = actual.get(e.getKey());
                if (got == null) throw new RecipeException("manifest: " + e.getKey() + " is listed in SHA256SUMS but missing");
                if (!got.equals(e.getValue())) throw new RecipeException("manifest: " + e.getKey() + " does not match SHA256SUMS");
            }
            for (String k : actual.keySet())
                if (!expected.containsKey(k)) throw new RecipeException("manifest: " + k + " is not listed in SHA256SUMS");
        }
        List<Map<String, Object>> files = new ArrayList<>();
        long total = 0;
        for (var e : actual.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("path", e.getKey());
            f.put("size", Files.size(p));
            f.put("sha256", e.getValue());
            f.put("executable", Files.isExecutable(p));
            files.add(f);
            total += Files.size(p);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", ctx.string("title"));
        m.put("count", files.size());
        m.put("totalBytes", total);
        m.put("files", files);
        AtomicFiles.write(ctx.output("manifest"), Json.pretty(m).getBytes(StandardCharsets.UTF_8));
        ctx.value("count", (long) files.size());
    }
}
