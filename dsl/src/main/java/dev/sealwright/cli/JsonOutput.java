package dev.sealwright.cli;

import dev.sealwright.base.Json;
import picocli.CommandLine.Option;

/**
 * {@code --json[=pretty|short]} for verbs that print data (as systemd tools offer): {@code pretty} is
 * indented, {@code short} one line. Keys are snake_case; each document has a schema in docs/schemas/.
 */
public class JsonOutput {
    @Option(names = "--json", arity = "0..1", paramLabel = "pretty|short", fallbackValue = "pretty",
            parameterConsumer = KnownValueConsumer.Json.class, preprocessor = KnownValueConsumer.Json.class,
            description = "print JSON instead of text: pretty (the default) or short (one line)")
    String json;

    public boolean wanted() {
        if (json != null && !json.equals("pretty") && !json.equals("short")) throw new UsageException("--json=" + json + ": expected pretty or short");
        return json != null;
    }

    public void print(Object document) {
        System.out.print(json.equals("short") ? Json.canonical(document) + "\n" : Json.pretty(document));
        System.out.flush();
    }
}
