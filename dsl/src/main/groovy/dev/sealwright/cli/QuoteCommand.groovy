package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

/** {@code sealwright quote show|verify}: DCAP quote inspection and verification. */
@CompileStatic
@Command(name = 'quote', mixinStandardHelpOptions = true,
        description = ['Show or verify Intel DCAP quotes (v3 SGX, v4/v5 TDX).'],
        subcommands = [QuoteShowCommand, QuoteVerifyCommand, QuoteSimulateCommand])
class QuoteCommand extends GroupCommand {

    /** Flattens nested field maps to {@code a.b.c  value} lines. */
    static void printFields(Map<String, Object> fields, String prefix = '') {
        fields.each { String k, Object v ->
            if (v instanceof Map) {
                printFields((Map<String, Object>) v, "${prefix}${k}.")
            } else {
                String value = v instanceof int[] ? ((int[]) v).toList().join(' ') : v instanceof List ? ((List) v).join(', ') : String.valueOf(v)
                println "${prefix}${k}: ${value}"
            }
        }
    }
}
