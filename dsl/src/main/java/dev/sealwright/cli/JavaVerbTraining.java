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
 * Training runs for the class-data archives of the verbs that start without Groovy: the launcher runs
 * {@code JavaVerbTraining GROUP} once after a build under -XX:AOTCacheOutput (JDK 25+) or
 * -XX:ArchiveClassesAtExit, one archive per group ({@link #GROUPS}: {@code version} for {@code --version};
 * {@code help} for the top-level usage and {@code help}; {@code snp} for {@code measure snp}; {@code tdx} for
 * {@code measure tdx|profiles}). An AOT cache loads every class it holds when the JVM starts, used or
 * not, so each group's archive holds what its verbs load and nothing more: no Groovy, and no Jackson
 * where the verb's default output needs none ({@code --json} output loads it from the jar).
 * {@code StartupTraining} (the archive of every other verb and of the daemon) runs every group, plus a
 * {@code run} from the configuration cache ({@link #exercise}).
 * Output is discarded; a verb that fails here only means fewer classes in the archive.
 */
public final class JavaVerbTraining {
    private JavaVerbTraining() {}

    /** The groups the launcher trains an archive for (its {@code archive_for}); keep both lists equal. */
    static final List<String> GROUPS = List.of("version", "help", "snp", "tdx");

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !GROUPS.contains(args[0])) throw new IllegalArgumentException("usage: JavaVerbTraining " + String.join("|", GROUPS));
        Path tmp = Files.createTempDirectory("sealwright-cds-");
        PrintStream out = System.out, err = System.err;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            run(verbs(args[0], tmp));
        } finally {
            System.setOut(out);
            System.setErr(err);
            AtomicFiles.deleteTree(tmp);
        }
    }

    /** Runs every group's verbs once, in {@code tmp}, then a recipe from the configuration cache (for StartupTraining). */
    static void exercise(Path tmp) throws IOException {
        for (String group : GROUPS) run(verbs(group, tmp));
        run(List.of(List.of("measure", "snp", "--mode", "sev", "--ovmf", tmp.resolve("data.bin").toString(), "--json"),
                List.of("measure", "tdx", "--firmware", OVMF, "--json"),
                List.of("measure", "profiles", "--json")));
        cachedRun(tmp, tmp.resolve("data.bin"));
    }

    private static final String OVMF = "/usr/share/ovmf/OVMF.fd";   // Debian's ovmf, when installed
    private static final String STUB = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";   // systemd-boot-efi: a PE image, measured as a UKI

    /** The verbs of {@code group} with their success and usage-error paths, in their default (not --json) output. */
    private static List<List<String>> verbs(String group, Path tmp) throws IOException {
        switch (group) {
            case "version":
                return List.of(List.of("--version"), List.of("-V"));
            case "help":   // picocli's help command reads its annotations: the JDK's proxy and ClassFile classes, kept out of "version"
                return List.of(List.of(), List.of("--help"), List.of("help"), List.of("mesure"));
            case "snp": {
                Path data = tmp.resolve("data.bin");
                if (!Files.exists(data)) Files.write(data, new byte[1 << 16]);
                return List.of(List.of("measure", "snp", "--help"),
                        List.of("measure", "snp", "--mode", "snp:ovmf-hash", "--ovmf", data.toString()),
                        List.of("measure", "snp", "--mode", "snp", "--vcpus", "4", "--vcpu-type", "EPYC-v4", "--ovmf", data.toString(),
                                "--kernel", "/dev/null", "--initrd", "/dev/null", "--append", "console=ttyS0"),
                        List.of("measure", "snp", "--mode", "sev", "--ovmf", data.toString()),
                        // Debian's OVMF.fd has SEV metadata (VMSAs measured) but no kernel-hashes section (an error, after parsing it)
                        List.of("measure", "snp", "--mode", "snp", "--vcpus", "4", "--vcpu-type", "EPYC-v4", "--ovmf", OVMF),
                        List.of("measure", "snp", "--mode", "seves", "--vcpus", "2", "--ovmf", OVMF),
                        List.of("measure", "snp", "--mode", "snp", "--ovmf", OVMF, "--kernel", "/dev/null", "--initrd", "/dev/null", "--append", "console=ttyS0"),
                        List.of("measure", "snp", "--ovmf", data.toString()),
                        List.of("measure", "snp"));
            }
            case "tdx":
                return List.of(List.of("measure", "tdx", "--help"),
                        List.of("measure", "tdx", "--firmware", OVMF, "--profile", "ubuntu-24.04"),
                        List.of("measure", "tdx", "--firmware", OVMF, "--kernel", STUB, "--cpus", "2", "--memory", "2048M", "--disks", "0",
                                "--profile", "ubuntu-24.04", "--secure-boot", "absent"),
                        List.of("measure", "tdx", "--firmware", OVMF, "--kernel", STUB),
                        List.of("measure", "tdx"),
                        List.of("measure", "profiles"));
            default:
                throw new IllegalArgumentException("unknown training group " + group);
        }
    }

    private static void run(List<List<String>> verbs) {
        for (List<String> v : verbs) {
            try {
                Main.execute(v.toArray(new String[0]));
            } catch (RuntimeException ignored) {
                // training is best effort
            }
        }
    }

    /**
     * {@code run} of a recipe whose pipeline is in the configuration cache, the path that loads no Groovy:
     * the entry is stored from Java, then the recipe runs twice, executing and then cached.
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
