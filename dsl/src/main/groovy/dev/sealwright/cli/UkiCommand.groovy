package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiInspector
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
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

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def r = UkiInspector.inspect(InputFiles.read(file, PeFile.FILE_BOUND), file.toString())
        if (json.wanted()) {
            json.print(toMap(r))
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

    /** snake_case keys; the text sections keyed by name without the dot (osrel, cmdline, uname, sbat). */
    static Map<String, Object> toMap(UkiInspector.Report r) {
        [file                : r.file(), size: r.size(), signed: r.signed(),
         authenticode_sha256: r.authenticodeSha256(), authenticode_sha384: r.authenticodeSha384(),
         sections            : r.sections().collect { UkiInspector.Section s ->
             [name: s.name(), virtual_address: s.virtualAddress(), virtual_size: s.virtualSize(), size_of_raw_data: s.sizeOfRawData(), sha256: s.sha256()]
         },
         text                : r.text().collectEntries { String k, String v -> [(k.substring(1)): v] }] as Map<String, Object>
    }
}
