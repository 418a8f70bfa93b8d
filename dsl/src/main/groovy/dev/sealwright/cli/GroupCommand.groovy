package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Spec

/** A command that only groups subcommands: given none, it prints its full usage (with the {@code sealwright} prefix and its command list). */
@CompileStatic
abstract class GroupCommand implements Runnable {
    @Spec
    CommandSpec spec

    @Override
    void run() {
        spec.commandLine().usage(System.out)
    }
}
