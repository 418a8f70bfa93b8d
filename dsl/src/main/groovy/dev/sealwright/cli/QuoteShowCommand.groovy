package dev.sealwright.cli

import dev.sealwright.attest.dcap.Quote
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'show', mixinStandardHelpOptions = true,
        description = ['Print every field of a DCAP quote by name (binary or hex text input).'])
class QuoteShowCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'QUOTE', description = 'quote file (binary, or hex text)')
    Path file

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def fields = Quote.readFile(file).fields()
        if (json.wanted()) json.print(fields)
        else QuoteCommand.printFields(fields)
        return Main.OK
    }
}
