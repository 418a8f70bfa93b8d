package dev.sealwright.cli

import dev.sealwright.engine.AtomicFiles
import dev.sealwright.engine.InputFiles
import dev.sealwright.image.cpio.NewcCpio
import dev.sealwright.image.oci.ImageLoader
import dev.sealwright.tools.Tools
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable

/** {@code sealwright initramfs DIR -o FILE}: a directory tree as a reproducible gzip'd newc cpio. */
@CompileStatic
@Command(name = 'initramfs', mixinStandardHelpOptions = true,
        description = ['Write a directory tree as a reproducible initramfs (newc cpio, sorted, owners 0:0, gzip -n).'])
class InitramfsCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'DIR', description = 'the root tree')
    Path dir

    @Option(names = ['-o', '--output'], required = true, paramLabel = 'FILE', description = 'the .cpio.gz to write')
    Path output

    @picocli.CommandLine.Mixin
    ForceOption overwrite

    @Option(names = '--level', paramLabel = 'N', description = 'gzip level 1-9 (default 9)')
    int level = 9

    @Option(names = '--epoch', paramLabel = 'SECONDS', description = 'mtime of every entry (SOURCE_DATE_EPOCH, default 0)')
    long epoch = 0

    @Override
    Integer call() {
        overwrite.refuseExisting(output)
        if (level < 1 || level > 9) throw new UsageException("--level must be 1-9, got ${level}".toString())
        InputFiles.requireDirectory(dir, 'the root tree')
        Path scratch = Files.createTempDirectory('sealwright-initramfs')
        try {
            def tree = new ImageLoader(scratch, new Tools(), { String l -> System.err.println(l) }).loadDirectory(dir)
            AtomicFiles.write(output, { OutputStream out -> NewcCpio.writeGzip(tree, epoch, level, out) } as AtomicFiles.Writer)
            println "${output}: ${tree.size()} entries, ${Files.size(output)} bytes"
        } finally {
            AtomicFiles.deleteTree(scratch)
        }
        return Main.OK
    }
}
