package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.image.pe.PeFile
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.SerializationFeature
import dev.sealwright.image.uki.UkiInspector
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

/** {@code sealwright uki inspect X.efi [--json]}. */
@CompileStatic
@Command(name = 'uki', mixinStandardHelpOptions = true, description = ['Look inside Unified Kernel Images.'],
        subcommands = [UkiInspectCommand])
class UkiCommand extends GroupCommand {
}

@CompileStatic
@Command(name = 'inspect', mixinStandardHelpOptions = true,
        description = ['List the sections of a UKI (or any PE image) with sizes and SHA-256, and its Authenticode digests.'])
class UkiInspectCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'FILE', description = 'the .efi file')
    Path file

    @Option(names = '--json', description = 'print JSON instead of a table')
    boolean json

    @Override
    Integer call() {
        def r = UkiInspector.inspect(InputFiles.read(file, PeFile.FILE_BOUND), file.toString())
        if (json) {
            println new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r)
            return Main.OK
        }
        println "${r.file()}: ${r.size()} bytes, ${r.signed() ? 'signed' : 'unsigned'}"
        println "authenticode sha256 ${r.authenticodeSha256()}"
        println "authenticode sha384 ${r.authenticodeSha384()}"
        println String.format('%-10s %10s %10s  %s', 'section', 'vaddr', 'size', 'sha256')
        r.sections().each { UkiInspector.Section s ->
            println String.format('%-10s %10x %10d  %s', s.name(), s.virtualAddress(), s.virtualSize(), s.sha256())
        }
        r.text().each { String k, String v -> println "${k}: ${v.replace('\n', ' | ')}" }
        return Main.OK
    }
}
