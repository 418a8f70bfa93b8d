package dev.sealwright.cli

import dev.sealwright.disk.luks2.Luks2Volume
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'add-key', mixinStandardHelpOptions = true, description = ['Add a keyslot for a new passphrase, unlocking with an existing one.'])
class LuksAddKeyCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'IMAGE', description = 'LUKS2 image file')
    Path image
    @Option(names = '--key-file', paramLabel = 'FILE', required = true, description = 'an existing passphrase ("-" = stdin)')
    Path keyFile
    @Option(names = '--new-key-file', paramLabel = 'FILE', required = true, description = 'the new passphrase')
    Path newKeyFile
    @Option(names = '--key-slot', paramLabel = 'N', description = 'keyslot number (default: lowest free)')
    int slot = -1
    @Mixin
    LuksKdfOptions kdf

    @Override
    Integer call() {
        byte[] newPass = LuksCommand.readKeyFile(newKeyFile)
        byte[] pass = LuksCommand.readKeyFile(keyFile)
        Luks2Volume.open(LuksCommand.existingImage(image), true).withCloseable { Luks2Volume v ->
            def unlocked = v.unlock(pass)
            int added = v.addKeyslot(unlocked.volumeKey(), newPass, kdf.kdf(), slot)
            println "added keyslot ${added} to ${image} (unlocked with keyslot ${unlocked.keyslot()})"
        }
        return Main.OK
    }
}
