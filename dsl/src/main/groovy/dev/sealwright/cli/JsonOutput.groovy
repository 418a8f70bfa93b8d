package dev.sealwright.cli

import dev.sealwright.base.Json
import groovy.transform.CompileStatic
import picocli.CommandLine.Option

/**
 * {@code --json[=pretty|short]} for verbs that print data (as systemd tools offer): {@code pretty} is
 * indented, {@code short} one line. Keys are snake_case; each document has a schema in docs/schemas/.
 */
@CompileStatic
class JsonOutput {
    @Option(names = '--json', arity = '0..1', paramLabel = 'pretty|short', fallbackValue = 'pretty',
            parameterConsumer = KnownValueConsumer.Json, preprocessor = KnownValueConsumer.Json,
            description = 'print JSON instead of text: pretty (the default) or short (one line)')
    String json

    boolean wanted() {
        if (json != null && !(json in ['pretty', 'short'])) throw new UsageException("--json=${json}: expected pretty or short")
        json != null
    }

    void print(Object document) {
        System.out.print(json == 'short' ? Json.canonical(document) + '\n' : Json.pretty(document))
        System.out.flush()
    }
}
