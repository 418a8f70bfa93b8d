package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

@CompileStatic
@Command(name = 'uefi', mixinStandardHelpOptions = true,
        description = ['UEFI Secure Boot configuration: variable stores, signature lists, uefi-config.json.'],
        subcommands = [UefiConfigCommand])
class UefiCommand extends GroupCommand {
}
