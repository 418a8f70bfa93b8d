package dev.sealwright.cli;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.SourceLocation;
import dev.sealwright.dsl.ConfigurationCache;
import dev.sealwright.dsl.LoadedRecipe;
import dev.sealwright.engine.FileRef;
import dev.sealwright.engine.Pipeline;
import dev.sealwright.engine.Step;
import dev.sealwright.engine.StepTypes;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Training run for the class-data archive of the verbs that start without Groovy ({@code --version},
 * {@code measure snp|tdx|profiles}, and {@code run} of a recipe in the configuration cache): the launcher runs it once after a build under
 * -XX:AOTCacheOutput (JDK 25+) or -XX:ArchiveClassesAtExit. That archive holds no Groovy class: an AOT
 * cache loads every class it holds at start-up, so a shared archive would make these verbs pay for
 * Groovy again. {@code StartupTraining} (the archive of every other verb) runs these verbs too.
 * Output is discarded; a verb that fails here only means fewer classes in the archive.
 */
public final class JavaVerbTraining {
    private JavaVerbTraining() {}

    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("sealwright-cds-");
        PrintStream out = System.out, err = System.err;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            exercise(tmp);
        } finally {
            System.setOut(out);
            System.setErr(err);
            AtomicFiles.deleteTree(tmp);
        }
    }

    /** Runs each Java verb once, in {@code tmp}, with the success and the usage-error paths. */
    static void exercise(Path tmp) throws IOException {
        Path data = tmp.resolve("data.bin");
        Files.write(data, new byte[1 << 16]);
        String ovmf = "/usr/share/ovmf/OVMF.fd";   // Debian's ovmf, when installed
        List<List<String>> verbs = List.of(
                List.of("--version"),
                List.of("measure", "snp", "--help"),
                List.of("measure", "snp", "--mode", "snp:ovmf-hash", "--ovmf", data.toString()),
                List.of("measure", "snp", "--mode", "sev", "--ovmf", data.toString(), "--json"),
                List.of("measure", "snp", "--ovmf", data.toString()),
                List.of("measure", "tdx", "--firmware", ovmf, "--profile", "ubuntu-24.04"),
                List.of("measure", "tdx", "--firmware", ovmf, "--json"),
                List.of("measure", "profiles"),
                List.of("measure", "profiles", "--json"));
        for (List<String> v : verbs) {
            try {
                Main.execute(v.toArray(new String[0]));
            } catch (RuntimeException ignored) {
                // training is best effort
            }
        }
        cachedRun(tmp, data);
    }

    /**
     * {@code run} of a recipe whose pipeline is in the configuration cache, the path that loads no Groovy:
     * the entry is stored from Java (evaluating the recipe would load Groovy into this archive), then the
     * recipe runs twice, executing and then cached.
     */
    private static void cachedRun(Path tmp, Path data) throws IOException {
        Path recipe = tmp.resolve("training.groovy");
        Files.writeString(recipe, "pipeline('training') { digest('d') { from file('data.bin') } }\n");
        Pipeline pipeline = Pipeline.builder("training").recipe(recipe)
                .step(new Step("d", StepTypes.get("digest"), Map.of("from", new FileRef(data)), new SourceLocation(recipe, 1, 24)))
                .build();
        ConfigurationCache.store(new LoadedRecipe(recipe, pipeline, Map.of(), Map.of()), Map.of(), tmp, List.of());
        for (int i = 0; i < 2; i++) {
            try {
                Main.execute("run", recipe.toString(), "-C", tmp.toString());
            } catch (RuntimeException ignored) {
                // training is best effort
            }
        }
    }
}
