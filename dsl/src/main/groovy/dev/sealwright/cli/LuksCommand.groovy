package dev.sealwright.cli

import dev.sealwright.disk.luks2.Luks2Kdf
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import dev.sealwright.base.InputFiles
import picocli.CommandLine
import dev.sealwright.base.InputFiles
import picocli.CommandLine.Command
import dev.sealwright.base.InputFiles
import picocli.CommandLine.Option

import java.nio.file.Path

@CompileStatic
@Command(name = 'luks', mixinStandardHelpOptions = true,
        description = ['LUKS2 volumes in image files, in pure Java (no device-mapper, no root); interoperable with cryptsetup.'],
        subcommands = [LuksFormatCommand, LuksDumpCommand, LuksAddKeyCommand, LuksRemoveKeyCommand, LuksTokenCommand, LuksRepairCommand])
class LuksCommand extends GroupCommand {
    /** cryptsetup's default --keyfile-size limit (DEFAULT_KEYFILE_SIZE_MAXKB = 8192). */
    static final InputFiles.Bound KEY_FILE_BOUND = new InputFiles.Bound('a key file', 8 << 20)

    /** A key file's whole content is the passphrase, as with cryptsetup --key-file; "-" reads stdin. */
    static byte[] readKeyFile(Path file) {
        if (file.toString() == '-') return System.in.readAllBytes()
        byte[] b = InputFiles.read(file, KEY_FILE_BOUND)
        if (b.length == 0) throw new RecipeException("${file}: key file is empty")
        return b
    }

    static Path existingImage(Path image) {
        InputFiles.requireImage(image, 'disk image')
        image
    }
}

/** KDF choice shared by format and add-key. */
@CompileStatic
class LuksKdfOptions {
    @Option(names = '--pbkdf', paramLabel = 'TYPE', description = 'pbkdf2, argon2id or argon2i (default: ${DEFAULT-VALUE})')
    String pbkdf = 'argon2id'

    @Option(names = '--pbkdf-force-iterations', paramLabel = 'N', description = 'PBKDF2 iterations or Argon2 time cost (default: 600000 for pbkdf2, 4 for argon2)')
    Integer iterations

    @Option(names = '--pbkdf-memory', paramLabel = 'KiB', description = 'Argon2 memory (default: ${DEFAULT-VALUE})')
    int memory = 65536

    @Option(names = '--pbkdf-parallel', paramLabel = 'N', description = 'Argon2 lanes (default: ${DEFAULT-VALUE})')
    int parallel = 1

    @Option(names = '--hash', paramLabel = 'HASH', description = 'PBKDF2 hash (default: ${DEFAULT-VALUE})')
    String hash = 'sha256'

    Luks2Kdf kdf() {
        switch (pbkdf) {
            case 'pbkdf2': return Luks2Kdf.pbkdf2(hash, iterations ?: 600000, new byte[0])
            case 'argon2id':
            case 'argon2i': return Luks2Kdf.argon2(pbkdf, iterations ?: 4, memory, parallel, new byte[0])
            default: throw new UsageException("--pbkdf must be pbkdf2, argon2id or argon2i, not '${pbkdf}'")
        }
    }
}
