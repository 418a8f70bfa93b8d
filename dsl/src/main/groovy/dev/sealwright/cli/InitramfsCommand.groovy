package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.InputFiles
import dev.sealwright.base.Progress
import dev.sealwright.image.cpio.NewcCpio
import dev.sealwright.image.oci.ImageLoader
import dev.sealwright.tools.Tools
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable
import java.util.function.Consumer

/** {@code sealwright initramfs DIR -o FILE [--compression gzip|zstd]}: a directory tree as a reproducible compressed newc cpio. */
@CompileStatic
@Command(name = 'initramfs', mixinStandardHelpOptions = true,
        description = ['Write a directory tree as a reproducible initramfs (newc cpio, sorted, owners 0:0, gzip -n or zstd).'])
class InitramfsCommand implements Callable<Integer> {

    @Parameters(index = '0', paramLabel = 'DIR', description = 'the root tree')
    Path dir

    @Option(names = ['-o', '--output'], required = true, paramLabel = 'FILE', description = 'the .cpio.gz (or .cpio.zst) to write')
    Path output

    @Mixin
    ForceOption overwrite

    @Option(names = '--compression', paramLabel = 'gzip|zstd', description = 'gzip (default) or zstd; both on all cores, same bytes whatever the core count')
    String compression = 'gzip'

    @Option(names = '--level', paramLabel = 'N', description = 'gzip level 1-9, zstd level 1-19 (default 9)')
    int level = 9

    @Option(names = '--epoch', paramLabel = 'SECONDS', description = 'mtime of every entry (SOURCE_DATE_EPOCH, default 0)')
    long epoch = 0

    @Mixin
    ProgressOption progress

    @Override
    Integer call() {
        def reporter = progress.reporter('initramfs')
        overwrite.refuseExisting(output)
        NewcCpio.Compression c = NewcCpio.Compression.named(compression)
        if (c == null) throw new UsageException("--compression must be gzip or zstd, got '${compression}'".toString())
        if (level < c.minLevel || level > c.maxLevel)
            throw new UsageException("--level must be ${c.minLevel}-${c.maxLevel} for ${compression}, got ${level}".toString())
        InputFiles.requireDirectory(dir, 'the root tree')
        Path scratch = Files.createTempDirectory('sealwright-initramfs')
        try {
            def tree = new ImageLoader(scratch, new Tools(), { String l -> System.err.println(l) } as Consumer<String>, Progress.NONE).loadDirectory(dir)
            AtomicFiles.write(output, { OutputStream out -> NewcCpio.writeCompressed(tree, epoch, c, level, Runtime.runtime.availableProcessors(), out, reporter) } as AtomicFiles.Writer)
            println "${output}: ${tree.size()} entries, ${Files.size(output)} bytes"
        } finally {
            AtomicFiles.deleteTree(scratch)
        }
        return Main.OK
    }
}
