package dev.sealwright.cli

import dev.sealwright.engine.Json
import dev.sealwright.measure.event.EventJson
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.LogKind
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'show', mixinStandardHelpOptions = true, description = ['Print an event log as JSON (index, register, type, digests, data, description).'])
class EventlogShowCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'LOG', description = 'binary CCEL / TCG2 log, or sealwright JSON')
    Path log

    @Option(names = '--kind', paramLabel = 'cc|tpm', description = 'index meaning (default: from the header: 1 = CCEL, 0 = TPM)')
    String kind

    @Override
    Integer call() {
        def parsed = EventLogFiles.read(log, kind == null ? null : LogKind.byLabel(kind))
        print Json.pretty(EventJson.log(parsed))
        Main.OK
    }
}
