package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command

/** {@code sealwright measure ...}: predict measurements; replay and diff event logs. */
@CompileStatic
@Command(name = 'measure', mixinStandardHelpOptions = true,
        description = ['Predict TDX MRTD/RTMR values from firmware and boot inputs; replay and diff event logs.'],
        subcommands = [MeasureTdxCommand, MeasureProfilesCommand, MeasureVtpmCommand, EventlogReplayCommand, EventlogDiffCommand])
class MeasureCommand implements Runnable {
    @Override
    void run() {
        CommandLine.usage(this, System.out)
    }
}
