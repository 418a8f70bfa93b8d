package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

/** {@code sealwright attest <tee> ...}: verify attestation evidence. */
@CompileStatic
@Command(name = 'attest', mixinStandardHelpOptions = true,
        description = ['Verify attestation evidence.'],
        subcommands = [AttestSnpCommand])
class AttestCommand extends GroupCommand {
}
