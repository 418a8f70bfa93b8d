package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Option

import java.nio.file.FileAlreadyExistsException
import java.nio.file.Files
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
        passphrase(entropy, false)
    }

    /**
     * As {@link #passphrase(Entropy)}; when {@code resuming} an interrupted run (disk encrypt --in-place), the
     * --generate-key FILE that run wrote is its passphrase and is read, not made again.
     */
    byte[] passphrase(Entropy entropy, boolean resuming) {
        if (generateKey == null) return LuksCommand.readKeyFile(keyFile)
        if (!generates(resuming)) return LuksCommand.readKeyFile(generateKey)
        byte[] passphrase = entropy.bytes(16)
        try {
            AtomicFiles.writeSecret(generateKey, passphrase, false)
        } catch (FileAlreadyExistsException ignored) {
            throw new RecipeException("${generateKey}: already exists; not overwriting a key file")
        }
        passphrase
    }

    /** Whether {@link #passphrase(Entropy, boolean)} makes a new key file. */
    boolean generates(boolean resuming) {
        generateKey != null && !(resuming && Files.exists(generateKey))
    }

    /** Deletes the --generate-key FILE when the run that made it wrote nothing that needs it. */
    void discardGenerated() {
        if (generateKey != null) Files.deleteIfExists(generateKey)
    }
}
