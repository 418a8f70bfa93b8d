package dev.sealwright.cli;

import dev.sealwright.base.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Training run for the class-data archive of the verbs that start without Groovy ({@code --version},
 * {@code measure snp|tdx|profiles}): the launcher runs it once after a build under
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
    }
}
