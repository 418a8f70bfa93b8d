package dev.sealwright.cli

import dev.sealwright.disk.luks2.Luks2FormatOptions
import dev.sealwright.disk.luks2.Luks2Volume
import groovy.transform.CompileStatic
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'format', mixinStandardHelpOptions = true,
        description = ['Write a new LUKS2 header (keyslot 0) at the start of IMAGE, like cryptsetup luksFormat: existing data there is lost.',
                'With --size, IMAGE is created (sparse) if missing.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright luks format disk.img --size 67108864 --generate-key disk.key', '  sealwright luks format disk.img --key-file disk.key --pbkdf pbkdf2 --label data', '  sealwright luks dump disk.img'])
class LuksFormatCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'IMAGE', description = 'image file to format (must exist; its first bytes are overwritten)')
    Path image

    @ArgGroup(exclusive = true, multiplicity = '1')
    KeySourceOptions key

    @Mixin
    LuksKdfOptions kdf

    @Option(names = '--key-size', paramLabel = 'BITS', description = 'aes-xts-plain64 key: 256 or 512 (default: ${DEFAULT-VALUE})')
    int keyBits = 512
    @Option(names = '--sector-size', paramLabel = 'BYTES', description = '512 or 4096 (default: ${DEFAULT-VALUE})')
    int sectorSize = 512
    @Option(names = '--luks2-metadata-size', paramLabel = 'BYTES', description = 'header + JSON area, 16384 … 4194304 (default: ${DEFAULT-VALUE})')
    long metadataSize = 16384
    @Option(names = '--luks2-keyslots-size', paramLabel = 'BYTES', description = 'keyslots area (default: up to the data offset)')
    Long keyslotsSize
    @Option(names = '--offset', paramLabel = 'BYTES', description = 'data segment offset (default: ${DEFAULT-VALUE})')
    long offset = 16L << 20
    @Option(names = '--label', paramLabel = 'TEXT', description = 'LUKS2 label (default: none)')
    String label = ''
    @Option(names = '--subsystem', paramLabel = 'TEXT', description = 'LUKS2 subsystem label (default: none)')
    String subsystem = ''
    @Option(names = '--uuid', paramLabel = 'UUID', description = 'volume UUID (default: random)')
    String uuid
    @Option(names = '--size', paramLabel = 'BYTES', description = 'create IMAGE with this size if it does not exist')
    Long size
    @Mixin
    DeterministicSeedOption seed

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        json.wanted()
        def entropy = seed.entropy()
        if (!Files.exists(image) && size != null) {
            new RandomAccessFile(image.toFile(), 'rw').withCloseable { it.setLength(size) }
        }
        LuksCommand.existingImage(image)
        byte[] passphrase = key.passphrase(entropy)
        Luks2FormatOptions opts
        try {
            opts = new Luks2FormatOptions().keyBits(keyBits).sectorSize(sectorSize).metadataSize(metadataSize).dataOffset(offset)
                    .label(label).subsystem(subsystem).kdf(kdf.kdf())
            if (keyslotsSize != null) opts.keyslotsSize(keyslotsSize)
            if (uuid != null) opts.uuid(UUID.fromString(uuid).toString())
        } catch (IllegalArgumentException e) {
            throw new UsageException("luks format: ${e.message}")
        }
        Luks2Volume.format(image, opts, passphrase, entropy).withCloseable { v ->
            if (json.wanted()) json.print([image      : image.toString(), uuid: v.header().uuid(), data_offset: v.dataOffset(), data_size: v.dataSize(),
                                           sector_size: v.sectorSize(), keyslot: 0])
            else println "formatted ${image}: LUKS2 ${v.header().uuid()}, data at ${v.dataOffset()} (${v.dataSize()} bytes, ${v.sectorSize()}-byte sectors), keyslot 0"
        }
        return Main.OK
    }
}
