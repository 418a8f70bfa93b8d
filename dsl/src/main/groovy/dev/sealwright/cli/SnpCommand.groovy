package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

/** {@code sealwright snp ...}: SEV-SNP launch artefacts. */
@CompileStatic
@Command(name = 'snp', mixinStandardHelpOptions = true,
        description = ['SEV-SNP launch artefacts (ID block and ID auth) and SIMULATED attestation reports.'],
        subcommands = [SnpIdBlockCommand, SnpSimulateCommand])
class SnpCommand extends GroupCommand {
}
