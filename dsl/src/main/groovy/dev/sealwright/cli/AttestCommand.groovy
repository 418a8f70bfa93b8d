package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command

/** {@code sealwright attest <tee> ...}: verify attestation evidence. */
@CompileStatic
@Command(name = 'attest', mixinStandardHelpOptions = true,
        description = ['Verify attestation evidence.'],
        subcommands = [AttestSnpCommand])
class AttestCommand implements Runnable {
    @Override
    void run() {
        CommandLine.usage(this, System.out)
    }
}
