package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.base.OneLine
import dev.sealwright.disk.verity.VeritySuperblock
import dev.sealwright.disk.verity.VerityFormat
import dev.sealwright.disk.verity.VerityTree
import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'verity', mixinStandardHelpOptions = true,
        description = ['dm-verity hash trees, compatible with veritysetup (superblock + tree in a separate hash file).'],
        subcommands = [Format, Verify])
class VerityCommand extends GroupCommand {

    /** A root hash file: one hex digest and a newline. */
    static final InputFiles.Bound ROOT_HASH_BOUND = new InputFiles.Bound('a root hash file', 4 << 10)

    static void requireFile(Path p) {
        InputFiles.requireImage(p, 'verity device')
    }

    @Command(name = 'format', mixinStandardHelpOptions = true, description = ['Write the superblock and hash tree of DATA to HASH and print the root hash.'],
            footerHeading = '%nExamples:%n', footer = ['  sealwright verity format rootfs.img rootfs.hash --root-hash-file roothash.txt', '  sealwright verity format data.img data.hash --salt - --data-block-size 4096'])
    static class Format implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'DATA', description = 'data image the tree covers (a whole number of data blocks is hashed)')
        Path data
        @Parameters(index = '1', paramLabel = 'HASH', description = 'hash file: verity superblock followed by the hash tree')
        Path hash
        @Option(names = '--salt', paramLabel = 'HEX', description = 'salt in hex (default: SHA-256 of the data, so the same data gives the same tree; "-" for none)')
        String salt
        @Option(names = '--uuid', paramLabel = 'UUID', description = 'superblock UUID (default: derived from the salt)')
        String uuid
        @Option(names = '--hash', paramLabel = 'ALG', description = 'sha256, sha512 or sha1 (default: ' + VerityFormat.DEFAULT_HASH + ')')
        String algorithm
        @Option(names = '--data-block-size', paramLabel = 'BYTES', description = 'data block size, a power of two from 512 to 1 MiB (default: 4096)')
        Integer dataBlockSize
        @Option(names = '--hash-block-size', paramLabel = 'BYTES', description = 'hash block size, a power of two from 512 to 1 MiB (default: 4096)')
        Integer hashBlockSize
        @Option(names = '--root-hash-file', paramLabel = 'FILE', description = 'also write the root hash (hex) to FILE')
        Path rootHashFile

        @Mixin
        ForceOption overwrite

        @Mixin
        JsonOutput json

        @Mixin
        ProgressOption progress

        @Override
        Integer call() {
            json.wanted()
            def reporter = progress.reporter('verity format')
            overwrite.refuseExisting(hash, rootHashFile)
            def r = VerityFormat.run(new VerityFormat.Request(data, salt, uuid, algorithm, dataBlockSize, hashBlockSize), hash, reporter)
            def sb = r.superblock()
            def root = r.rootHex()
            if (rootHashFile != null) AtomicFiles.write(rootHashFile, (root + '\n').getBytes('UTF-8'))
            if (json.wanted()) {
                json.print([uuid           : sb.uuid().toString(), hash_type: 1, data_blocks: sb.dataBlocks(), data_block_size: sb.dataBlockSize(),
                            hash_block_size: sb.hashBlockSize(), hash_algorithm: sb.algorithm(), salt: r.saltHex(), root_hash: root])
                return Main.OK
            }
            println "UUID:            ${sb.uuid()}"
            println "Hash type:       1"
            println "Data blocks:     ${sb.dataBlocks()}"
            println "Data block size: ${sb.dataBlockSize()}"
            println "Hash block size: ${sb.hashBlockSize()}"
            println "Hash algorithm:  ${sb.algorithm()}"
            println "Salt:            ${sb.salt().length == 0 ? '-' : r.saltHex()}"
            println "Root hash:       ${root}"
            Main.OK
        }
    }

    @Command(name = 'verify', mixinStandardHelpOptions = true, description = ['Check DATA against the tree in HASH and the root hash.'],
            footerHeading = '%nExamples:%n', footer = ['  sealwright verity verify rootfs.img rootfs.hash --root-hash-file roothash.txt'])
    static class Verify implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'DATA', description = 'data image the tree covers (a whole number of data blocks is hashed)')
        Path data
        @Parameters(index = '1', paramLabel = 'HASH', description = 'hash file: verity superblock followed by the hash tree')
        Path hash
        @Parameters(index = '2', paramLabel = 'ROOT_HASH', arity = '0..1', description = 'expected root hash (hex), as printed by verity format')
        String rootHash
        @Option(names = '--root-hash-file', paramLabel = 'FILE', description = 'read the expected root hash (hex) from FILE instead')
        Path rootHashFile

        @Mixin
        JsonOutput json

        @Override
        Integer call() {
            json.wanted()
            requireFile(data)
            requireFile(hash)
            String root = rootHash ?: (rootHashFile != null ? InputFiles.readText(rootHashFile, ROOT_HASH_BOUND).trim() : null)
            if (root == null) throw new UsageException('verity verify: give ROOT_HASH or --root-hash-file')
            String source = rootHash != null ? 'ROOT_HASH' : rootHashFile.toString()
            byte[] rootBytes
            try {
                rootBytes = HexFormat.of().parseHex(root)
            } catch (IllegalArgumentException e) {
                // the text is not echoed: it may be anything
                String m = "${source}: the root hash is not hex (${root.length()} characters)"
                throw rootHash != null ? new UsageException(m) : new RecipeException(m)   // an argument, or a file's content
            }
            if (rootBytes.length == 0) throw new RecipeException("${source}: the root hash is empty")
            VeritySuperblock sb
            try {
                byte[] first = new byte[VeritySuperblock.SIZE]
                Files.newInputStream(hash).withCloseable { it.readNBytes(first, 0, first.length) }
                sb = VeritySuperblock.decode(first)
            } catch (IllegalArgumentException e) {
                throw new RecipeException("${hash}: ${e.message}")
            }
            VerityTree tree
            try {
                tree = new VerityTree(sb)
            } catch (RecipeException | IllegalArgumentException | ArithmeticException e) {
                throw new RecipeException("${hash}: ${e.message}")
            }
            if (rootBytes.length != tree.digestSize())
                throw new RecipeException("${source}: the root hash is ${rootBytes.length} bytes; ${sb.algorithm()} (${hash}) gives ${tree.digestSize()}")
            def problem = tree.verify(data, hash, rootBytes)
            if (json.wanted()) json.print([verified: problem == null, data_blocks: sb.dataBlocks(), hash_algorithm: sb.algorithm(), root_hash: root] as Map<String, Object> +
                    (problem == null ? [:] : [problem: problem] as Map<String, Object>))
            if (problem != null) {
                System.err.println("verification failed: ${OneLine.of(problem)}")
                return Main.FAILED
            }
            if (json.wanted()) return Main.OK
            println "verified ${sb.dataBlocks()} blocks of ${data} against root hash ${root}"
            Main.OK
        }
    }
}
