package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

/** {@code sealwright measure ...}: predict launch measurements offline; replay and diff event logs. */
@CompileStatic
@Command(name = 'measure', mixinStandardHelpOptions = true,
        description = ['Predict launch measurements offline (TDX MRTD/RTMRs, SEV-SNP launch digest); replay and diff event logs.'],
        subcommands = [MeasureTdxCommand, MeasureSnpCommand, MeasureProfilesCommand, MeasureVtpmCommand, MeasureCaptureCommand, EventlogReplayCommand, EventlogDiffCommand])
class MeasureCommand extends GroupCommand {
}
