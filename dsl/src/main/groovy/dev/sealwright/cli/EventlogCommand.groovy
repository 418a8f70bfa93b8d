package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

/** {@code sealwright eventlog show|replay|diff}: TDX CCEL and TCG2 TPM event logs. */
@CompileStatic
@Command(name = 'eventlog', mixinStandardHelpOptions = true,
        description = ['Show, replay and diff CCEL (TDX) and TCG2 (TPM) event logs.'],
        subcommands = [EventlogShowCommand, EventlogReplayCommand, EventlogDiffCommand])
class EventlogCommand extends GroupCommand {
}
