package dev.sealwright.cli

import dev.sealwright.disk.luks2.Luks2Volume
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'repair', mixinStandardHelpOptions = true,
        description = ['Rewrite both LUKS2 header copies from the valid one (like cryptsetup repair): fixes a damaged or older copy ' +
                'and drops leftover KDF parameters. The other luks verbs never write a header they only read.'])
class LuksRepairCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'IMAGE', description = 'LUKS2 image whose damaged header copy is rewritten from the good one')
    Path image

    @Override
    Integer call() {
        Luks2Volume.open(LuksCommand.existingImage(image), true).withCloseable { Luks2Volume v ->
            String note = v.repair()
            println(note == null ? "${image}: both header copies are valid; nothing to repair" : "${image}: repaired: ${note}; wrote both header copies")
        }
        return Main.OK
    }
}
