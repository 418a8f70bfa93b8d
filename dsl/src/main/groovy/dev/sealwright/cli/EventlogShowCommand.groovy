package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.measure.event.CcelAcpiTable
import dev.sealwright.measure.event.EventJson
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.LogKind
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'show', mixinStandardHelpOptions = true, description = ['Print an event log as JSON (index, register, type, digests, data, description), or a CCEL ACPI table.'])
class EventlogShowCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'LOG', description = 'binary CCEL / TCG2 log, or sealwright JSON')
    Path log

    @Option(names = '--kind', paramLabel = 'cc|tpm', description = 'index meaning (default: from the header: 1 = CCEL, 0 = TPM)')
    String kind

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        byte[] bytes = InputFiles.read(log, EventLogFiles.FILE_BOUND)
        if (CcelAcpiTable.looksLike(bytes)) {
            def t = CcelAcpiTable.read(bytes, log.toString())
            emit([table: 'CCEL', revision: t.revision(), oem_id: t.oemId(), oem_table_id: t.oemTableId(), cc_type: t.ccTypeName(),
                               cc_subtype: t.ccSubtype(), laml: t.laml(), lasa: String.format('0x%x', t.lasa())])
            return Main.OK
        }
        def parsed = EventLogFiles.read(log, kind == null ? null : LogKind.byLabel(kind))
        emit(EventJson.log(parsed))
        Main.OK
    }

    /** JSON whether asked or not (the verb prints nothing else); --json=short puts it on one line. */
    private void emit(Object document) {
        json.wanted()
        if (json.json == null) json.json = 'pretty'
        json.print(document)
    }
}
