package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command

/** {@code sealwright measure <tee> ...}: predict launch measurements offline. */
@CompileStatic
@Command(name = 'measure', mixinStandardHelpOptions = true,
        description = ['Predict launch measurements offline.'],
        subcommands = [MeasureSnpCommand])
class MeasureCommand implements Runnable {
    @Override
    void run() {
        CommandLine.usage(this, System.out)
    }
}
