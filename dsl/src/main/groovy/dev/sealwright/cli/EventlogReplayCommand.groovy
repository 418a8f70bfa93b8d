package dev.sealwright.cli

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.event.Registers
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'replay', mixinStandardHelpOptions = true, description = ['Recompute RTMR0..3 (CCEL) or PCR0..23 (TPM log) from an event log.'])
class EventlogReplayCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'LOG', description = 'binary CCEL / TCG2 log, or sealwright JSON')
    Path log

    @Option(names = '--kind', paramLabel = 'cc|tpm', description = 'index meaning (default: from the header)')
    String kind

    @Option(names = '--bank', paramLabel = 'ALG', description = 'sha1|sha256|sha384|sha512 (default: sha384 for CCEL, sha256 for TPM)')
    String bank

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def parsed = EventLogFiles.read(log, kind == null ? null : LogKind.byLabel(kind))
        def alg = bank != null ? HashAlg.byLabel(bank) : parsed.kind() == LogKind.CC_EVENT_LOG ? HashAlg.SHA384 : HashAlg.SHA256
        Registers r
        try {
            r = Registers.replay(parsed, alg)
        } catch (IllegalArgumentException e) {
            throw new RecipeException("${log}: cannot replay: ${e.message}")
        }
        Map<String, String> values = [:]
        for (int i = 0; i < r.count(); i++) {
            if (parsed.kind() == LogKind.TPM_EVENT_LOG && !parsed.events().any { it.index() == i && it.extended() }) continue
            values[r.key(i)] = r.hex(i)
        }
        if (json.wanted()) json.print([bank: alg.label()] + values)
        else values.each { k, v -> println "${k.padRight(6)} ${v}" }
        Main.OK
    }
}
