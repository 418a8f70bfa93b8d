package dev.sealwright.cli

import dev.sealwright.measure.event.BootEvent
import dev.sealwright.measure.event.EventDiff
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.HashAlg
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'diff', mixinStandardHelpOptions = true,
        description = ['Compare two event lists (a real log and a prediction, or two logs) register by register;',
                'print the first differing event of each register with both digests and descriptions.',
                'Exit 0 when equal, 1 when they differ.'])
class EventlogDiffCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'LOG', description = 'binary log or JSON')
    Path left

    @Parameters(index = '1', paramLabel = 'PREDICTED', description = 'JSON prediction (measure tdx --eventlog) or another log')
    Path right

    @Option(names = '--bank', paramLabel = 'ALG', description = 'digest bank compared (default: sha384)')
    String bank = 'sha384'

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def a = EventLogFiles.read(left, null)
        def b = EventLogFiles.read(right, null)
        def alg = HashAlg.byLabel(bank)
        def diffs = EventDiff.firstPerRegister(a.kind(), a.events(), b.events(), alg)
        if (json.wanted()) {
            json.print([log: left.toString(), predicted: right.toString(), bank: alg.label(), equal: diffs.isEmpty(), events: a.events().count { it.extended() },
                        differences: diffs.collect { EventDiff.Difference d ->
                            [register: d.register(), event: d.position() + 1, left: event(d.left(), alg), right: event(d.right(), alg)]
                        }])
            return diffs.isEmpty() ? Main.OK : Main.FAILED
        }
        if (diffs.isEmpty()) {
            println "no differences (${a.events().count { it.extended() }} events, ${alg.label()})"
            return Main.OK
        }
        diffs.each { EventDiff.Difference d ->
            println "${d.register()} event ${d.position() + 1}:"
            println "  ${left.fileName}: ${describe(d.left(), alg)}"
            println "  ${right.fileName}: ${describe(d.right(), alg)}"
        }
        Main.FAILED
    }

    /** One side of a difference; null when that side has no event at this position. */
    private static Map<String, Object> event(BootEvent e, HashAlg alg) {
        e == null ? null : [type: e.typeName(), digest: e.digestHex(alg), description: e.description()] as Map<String, Object>
    }

    private static String describe(BootEvent e, HashAlg alg) {
        e == null ? '(no event)' : "${e.typeName()} ${e.digestHex(alg) ?: '(no ' + alg.label() + ' digest)'} ${e.description()}"
    }
}
