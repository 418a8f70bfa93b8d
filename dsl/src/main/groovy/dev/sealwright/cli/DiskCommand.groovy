package dev.sealwright.cli

import dev.sealwright.disk.DiskEncryptor
import dev.sealwright.disk.gpt.GptDisk
import dev.sealwright.disk.inplace.InPlaceEncryptor
import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.disk.format.RawDisk
import dev.sealwright.base.RecipeException
import dev.sealwright.tools.Tools
import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'disk', mixinStandardHelpOptions = true, description = ['Disk images: GPT partitions, rootfs encryption and TPM deploy (no root, no device-mapper).'],
        subcommands = [Encrypt, Partitions, DiskDeployCommand])
class DiskCommand extends GroupCommand {

    @Command(name = 'partitions', mixinStandardHelpOptions = true, description = ['List the GPT partitions of a disk image: raw, fixed or dynamic VHD, or qcow2.'])
    static class Partitions implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'IMAGE', description = 'disk image: raw, fixed or dynamic VHD, or qcow2 (told apart by their headers)')
        Path image

        @Mixin
        JsonOutput json

        @Override
        Integer call() {
            json.wanted()
            LuksCommand.existingImage(image)
            RawDisk.open(image, new Tools()).withCloseable { RawDisk disk -> FileChannel.open(disk.path(), StandardOpenOption.READ).withCloseable { ch ->
                def gpt = GptDisk.read(ch, disk.size(), image.toString())
                if (gpt.recoveryNote() != null) System.err.println("warning: ${image}: ${gpt.recoveryNote()}")
                if (json.wanted()) {
                    json.print([disk_guid : gpt.diskGuid().toString(), sectors: gpt.diskLbas(), first_usable: gpt.firstUsable(), last_usable: gpt.lastUsable(),
                                partitions: gpt.partitions().collect { p ->
                                    [number: p.number(), first_lba: p.firstLba(), last_lba: p.lastLba(), type: p.type().toString(), uuid: p.uuid().toString(), name: p.name()]
                                }])
                    return
                }
                println "disk ${gpt.diskGuid()}: ${gpt.diskLbas()} sectors, usable ${gpt.firstUsable()}-${gpt.lastUsable()}"
                gpt.partitions().each { p ->
                    println "${p.number()}\t${p.firstLba()}\t${p.lastLba()}\t${p.type()}\t${p.uuid()}\t${p.name()}"
                }
            } }
            Main.OK
        }
    }

    @Command(name = 'encrypt', mixinStandardHelpOptions = true,
            description = ['Copy a GPT disk image (raw, fixed or dynamic VHD, qcow2; the copy keeps the format), turning its rootfs partition into LUKS2 (encrypt-cloud-image parameters:',
                    'PBKDF2-SHA256 ×1000, 512-bit aes-xts-plain64, 512 KiB metadata, data at 16 MiB, label cloudimg-rootfs-enc).',
                    'The partition grows by 16 MiB (into free space, or by growing the disk when it is last).'],
            footerHeading = '%nExamples:%n', footer = ['  sealwright disk encrypt cloud.img -o cloud-enc.img --generate-key cloud.key', '  sealwright disk encrypt cloud.img --in-place --key-file cloud.key', '  sealwright disk partitions cloud-enc.img'])
    static class Encrypt implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'IN', description = 'GPT disk image to encrypt (raw, fixed or dynamic VHD, qcow2); left unchanged unless --in-place (raw or fixed VHD)')
        Path input
        @Option(names = ['-o', '--output'], paramLabel = 'OUT', description = 'write the encrypted copy here (temp file + rename; never overwrites)')
        Path output
        @Option(names = '--partition', paramLabel = 'SEL', description = 'rootfs (first Linux filesystem), esp, a partition UUID or name (default: ${DEFAULT-VALUE})')
        String partition = DiskEncryptor.Request.DEFAULT_PARTITION

        @ArgGroup(exclusive = true, multiplicity = '1')
        KeySourceOptions key
        @Option(names = '--label', paramLabel = 'L', description = 'LUKS2 label (default: ${DEFAULT-VALUE})')
        String label = DiskEncryptor.Request.DEFAULT_LABEL
        @Option(names = '--sector-size', paramLabel = 'BYTES', description = '512 or 4096 (default: ${DEFAULT-VALUE})')
        int sectorSize = DiskEncryptor.Request.DEFAULT_SECTOR_SIZE
        @Option(names = '--in-place', description = ['encrypt IN itself, journaled in IN.encrypt-journal: rerun the same command after an interruption to resume'])
        boolean inPlace
        @Option(names = '--rollback', description = 'with --in-place: undo an interrupted in-place encryption, restoring the original bytes')
        boolean rollback
        @Option(names = '--chunk-size', paramLabel = 'BYTES', description = 'with --in-place: bytes encrypted per journaled step, at most the 16 MiB data offset (default: ${DEFAULT-VALUE})')
        int chunkSize = 16 << 20
        @Mixin
        DeterministicSeedOption seed

        @Mixin
        ForceOption overwrite

        @Mixin
        JsonOutput json

        @Mixin
        ProgressOption progress

        @Override
        Integer call() {
            json.wanted()
            def reporter = progress.reporter('disk encrypt')
            if (inPlace && output != null) throw new UsageException('disk encrypt: --in-place and -o OUT exclude each other')
            if (!inPlace && output == null) throw new UsageException('disk encrypt: -o OUT (or --in-place) is required')
            if (rollback && !inPlace) throw new UsageException('disk encrypt: --rollback needs --in-place')
            boolean outputIsInput = output != null && Files.exists(output) && Files.exists(input) && Files.isSameFile(input, output)
            if (!outputIsInput) overwrite.refuseExisting(output)   // output = input gets its own line from DiskEncryptor
            LuksCommand.existingImage(input)
            def entropy = seed.entropy()
            if (inPlace) return inPlace(entropy)
            def request = new DiskEncryptor.Request(input, output, partition, label, sectorSize, key.passphrase(entropy), entropy)
            DiskEncryptor.Result r
            try {
                r = DiskEncryptor.encrypt(request, reporter, new Tools())
            } catch (Exception e) {
                key.discardGenerated()   // no output, so a new key is useless
                throw e
            }
            if (json.wanted()) json.print([mode            : 'copy', output: output.toString(), partition: r.before().number(), partition_bytes: r.before().sizeLbas() * 512,
                                           luks_uuid       : r.luksUuid(), first_lba: r.after().firstLba(), last_lba: r.after().lastLba(), disk_bytes: r.diskBytes()])
            else println "encrypted partition ${r.before().number()} (${r.before().sizeLbas() * 512} bytes) into LUKS2 ${r.luksUuid()}; " +
                    "partition now LBA ${r.after().firstLba()}-${r.after().lastLba()}; ${output} is ${r.diskBytes()} bytes"
            Main.OK
        }

        /** Journaled in-place encryption; a key generated by an interrupted run is reused when the journal exists. */
        private Integer inPlace(Entropy entropy) {
            boolean resuming = Files.exists(InPlaceEncryptor.journalOf(input))
            boolean generated = key.generates(resuming)
            if (generated && rollback) throw new RecipeException("${input}: --rollback needs the passphrase of the interrupted run (--key-file)")
            def request = new DiskEncryptor.Request(input, null, partition, label, sectorSize, key.passphrase(entropy, resuming), entropy)
            InPlaceEncryptor.Result r
            try {
                r = InPlaceEncryptor.run(input, request.partition(), request.passphrase(), request.formatOptions(), entropy, chunkSize, rollback,
                        progress.reporter(rollback ? 'disk encrypt --rollback' : 'disk encrypt'))
            } catch (Exception e) {
                // the key is useless unless a journal now depends on it
                if (generated && !Files.exists(InPlaceEncryptor.journalOf(input))) key.discardGenerated()
                throw e
            }
            if (json.wanted()) {
                json.print([mode: 'in_place', image: input.toString(), resumed: r.resumed(), rolled_back: r.rolledBack(), file_size: r.fileSize()] as Map<String, Object> +
                        (r.rolledBack() ? [:] : [luks_uuid: r.luksUuid(), partition_offset: r.partStart(), partition_bytes: r.partBytes()] as Map<String, Object>))
                return Main.OK
            }
            String how = r.resumed() ? 'resumed and ' : ''
            if (r.rolledBack()) println "${how}rolled back: ${input} holds its original bytes again (${r.fileSize()} bytes)"
            else println "${how}encrypted ${r.partBytes()} bytes at offset ${r.partStart()} in place into LUKS2 ${r.luksUuid()}; ${input} is ${r.fileSize()} bytes"
            Main.OK
        }
    }
}
