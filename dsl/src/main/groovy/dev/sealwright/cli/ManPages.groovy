package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.codegen.docgen.manpage.ManPageGenerator

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * Man pages from the command model: {@code docs/man/*.adoc} written by picocli-codegen's
 * {@link ManPageGenerator}, turned into {@code docs/man/man1/*.1} by {@code asciidoctor -b manpage}
 * (reproducible: no date). Both are checked in; {@code sealwright doctor --install} copies the
 * {@code .1} pages where {@code man} looks. Regenerate after changing a command:
 * {@code java -cp 'dsl/target/classes:dsl/target/lib/*' dev.sealwright.cli.ManPages docs/man}
 */
@CompileStatic
final class ManPages {
    static final String REGENERATE = "java -cp 'dsl/target/classes:dsl/target/lib/*' dev.sealwright.cli.ManPages docs/man"

    private ManPages() {}

    static void main(String[] args) {
        if (args.length != 1) {
            System.err.println('usage: ManPages DIR   (writes DIR/*.adoc and DIR/man1/*.1)')
            System.exit(Main.USAGE)
        }
        generate(Path.of(args[0]))
    }

    /** Replaces DIR's generated pages: one per command and subcommand of the whole model. */
    static void generate(Path dir) {
        Files.createDirectories(dir.resolve('man1'))
        [dir, dir.resolve('man1')].each { Path d -> Files.list(d).withCloseable { s -> s.filter { Path p -> p.fileName.toString() ==~ /sealwright.*\.(adoc|1)/ }.forEach { Files.delete(it) } } }
        def quiet = new PrintStream(OutputStream.nullOutputStream())
        def err = System.err
        System.err = quiet   // the generator reports each page it writes
        try {
            ManPageGenerator.generateManPage(dir.toFile(), null, [false] as boolean[], true, Main.commandLine().commandSpec)
        } finally {
            System.err = err
        }
        List<String> pages = Files.list(dir).withCloseable { s -> s.map { it.fileName.toString() }.filter { it.endsWith('.adoc') }.sorted().toList() }
        def cmd = ['asciidoctor', '-b', 'manpage', '-a', 'reproducible', '-a', 'mansource=sealwright', '-D', dir.resolve('man1').toString()] +
                pages.collect { dir.resolve(it).toString() }
        Process p
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        } catch (IOException e) {
            throw new RecipeException("asciidoctor not found (Debian package asciidoctor): it turns docs/man/*.adoc into man pages")
        }
        String out = p.inputStream.text
        if (p.waitFor() != 0) throw new RecipeException("asciidoctor failed: ${out.trim()}")
    }

    /** Copies the generated pages into MANDIR/man1 (temp file + rename each, mode 0644); returns how many. */
    static int install(Path generated, Path manDir) {
        Path target = Files.createDirectories(manDir.resolve('man1'))
        List<Path> pages = Files.list(generated).withCloseable { s -> s.filter { it.fileName.toString().endsWith('.1') }.sorted().toList() }
        if (pages.isEmpty()) throw new RecipeException("${generated}: no man pages (regenerate with: ${REGENERATE})")
        pages.each { Path page ->
            Path installed = target.resolve(page.fileName.toString())
            AtomicFiles.write(installed, Files.readAllBytes(page))
            Files.setPosixFilePermissions(installed, PosixFilePermissions.fromString('rw-r--r--'))
        }
        pages.size()
    }
}
