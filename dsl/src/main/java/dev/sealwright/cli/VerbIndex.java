package dev.sealwright.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the top-level usage shows of each verb (its name, header and description), written at build time
 * from the verb classes themselves into {@code dev/sealwright/cli/verbs.txt} (the {@code verb-index}
 * execution in dsl/pom.xml), so that {@code sealwright}, {@code sealwright --help} and a mistyped verb
 * print the verb list without loading the verbs, most of which are Groovy classes. One line per verb:
 * name, header lines and description lines, separated by tabs and, within each list, by U+001E.
 */
public final class VerbIndex {
    static final String RESOURCE = "verbs.txt";
    private static final String SEP = "\u001e";

    private VerbIndex() {}

    /** Writes the index, and the {@link CommandModels}, into the class directory {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        CommandModels.write(Path.of(args[0]));   // first: the verbs listed below are read from these
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, CommandLine> verb : Main.commandLine().getSubcommands().entrySet()) {
            var usage = verb.getValue().getCommandSpec().usageMessage();
            out.append(verb.getKey()).append('\t').append(String.join(SEP, usage.header()))
                    .append('\t').append(String.join(SEP, usage.description())).append('\n');
        }
        Path file = Path.of(args[0], Main.class.getPackageName().replace('.', '/'), RESOURCE);
        Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
    }

    /** Each verb as a command spec with only its name, header and description; null when the index is not built. */
    static List<CommandSpec> read() {
        try (InputStream in = VerbIndex.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return null;
            List<CommandSpec> verbs = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split("\t", -1);
                CommandSpec spec = CommandSpec.create().name(f[0]);
                spec.usageMessage().header(lines(f[1])).description(lines(f[2]));
                verbs.add(spec);
            }
            return verbs;
        } catch (IOException e) {
            return null;
        }
    }

    private static String[] lines(String joined) {
        return joined.isEmpty() ? new String[0] : Arrays.stream(joined.split(SEP, -1)).toArray(String[]::new);
    }
}
