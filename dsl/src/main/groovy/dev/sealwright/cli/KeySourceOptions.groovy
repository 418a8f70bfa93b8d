package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Option

import java.nio.file.FileAlreadyExistsException
import java.nio.file.Path

/** {@code --key-file FILE | --generate-key FILE}, exactly one (an exclusive ArgGroup): the passphrase of a new LUKS2 keyslot. */
@CompileStatic
class KeySourceOptions {
    @Option(names = '--key-file', paramLabel = 'FILE', required = true, description = 'passphrase = the whole file ("-" = stdin)')
    Path keyFile
    @Option(names = '--generate-key', paramLabel = 'FILE', required = true, description = 'create a random 16-byte passphrase in FILE (0600; never overwritten)')
    Path generateKey

    /** Reads --key-file, or writes 16 random bytes to --generate-key (refused when the file exists). */
    byte[] passphrase(Entropy entropy) {
        if (generateKey == null) return LuksCommand.readKeyFile(keyFile)
        byte[] passphrase = entropy.bytes(16)
        try {
            AtomicFiles.writeSecret(generateKey, passphrase, false)
        } catch (FileAlreadyExistsException ignored) {
            throw new RecipeException("${generateKey}: already exists; not overwriting a key file")
        }
        passphrase
    }
}
