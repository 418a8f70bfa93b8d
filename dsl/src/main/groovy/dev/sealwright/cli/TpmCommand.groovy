package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

@CompileStatic
@Command(name = 'tpm', mixinStandardHelpOptions = true,
        description = ['TPM 2.0 offline operations: seal a secret to a TPM known only by its storage key (SRK) public area.'],
        subcommands = [TpmSealCommand])
class TpmCommand extends GroupCommand {
}
