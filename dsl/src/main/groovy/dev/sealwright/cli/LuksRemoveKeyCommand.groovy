package dev.sealwright.cli

import dev.sealwright.disk.luks2.Luks2Volume
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'remove-key', mixinStandardHelpOptions = true, description = ['Remove a keyslot and wipe its key material (like cryptsetup luksKillSlot).'])
class LuksRemoveKeyCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'IMAGE', description = 'LUKS2 image file')
    Path image
    @Option(names = '--key-slot', paramLabel = 'N', required = true, description = 'keyslot to remove')
    int slot
    @Option(names = '--force', description = 'allow removing the last keyslot (the data becomes unrecoverable)')
    boolean force

    @Override
    Integer call() {
        Luks2Volume.open(LuksCommand.existingImage(image), true).withCloseable { Luks2Volume v ->
            if (v.keyslots().size() == 1 && v.keyslots().has(Integer.toString(slot)) && !force)
                throw new RecipeException("${image}: keyslot ${slot} is the last one; removing it makes the data unrecoverable (use --force)")
            v.removeKeyslot(slot)
            println "removed keyslot ${slot} from ${image}"
        }
        return Main.OK
    }
}
