package dev.sealwright.cli

import groovy.transform.CompileStatic

import java.nio.file.Files
import java.nio.file.Path

/**
 * Run once by the launcher after a build, under -XX:ArchiveClassesAtExit (or -XX:AOTCacheOutput on
 * JDK 25+): exercises the common verbs in one JVM (recipe load and run, quote simulate + verify,
 * verity, measure, and the Java verbs of {@link JavaVerbTraining}, which the daemon serves too) so the
 * class-data archive holds their classes and every later start-up maps them instead of loading them.
 * Output is discarded; a verb that fails here only means fewer classes in the archive.
 */
@CompileStatic
class StartupTraining {
    static void main(String[] args) {
        Path home = Path.of(System.getProperty('sealwright.home', '.'))
        Path tmp = Files.createTempDirectory('sealwright-cds-')
        def out = System.out, err = System.err
        System.out = new PrintStream(OutputStream.nullOutputStream())
        System.err = new PrintStream(OutputStream.nullOutputStream())
        try {
            Files.write(tmp.resolve('data.bin'), new byte[1 << 16])
            JavaVerbTraining.exercise(tmp)
            List<List<String>> verbs = [
                    ['--help'],
                    ['plan', home.resolve('samples/quickstart.groovy').toString(), '-C', tmp.toString()],
                    ['run', home.resolve('samples/checksummed.groovy').toString(), '-C', tmp.toString()],
                    ['run', home.resolve('samples/checksummed.groovy').toString(), '-C', tmp.toString()],   // from the configuration cache
                    ['quote', 'simulate', '--out', tmp.resolve('q.bin').toString(), '--collateral-out', tmp.resolve('c.json').toString()],
                    ['quote', 'verify', tmp.resolve('q.bin').toString(), '--collateral', tmp.resolve('c.json').toString(), '--trust-simulated', '--json'],
                    ['quote', 'show', tmp.resolve('q.bin').toString()],
                    ['verity', 'format', tmp.resolve('data.bin').toString(), tmp.resolve('data.hash').toString()],
                    ['steps'],
            ]
            for (List<String> v : verbs) {
                try {
                    Main.execute(v as String[])
                } catch (Throwable ignored) {
                    // training is best effort
                }
            }
        } finally {
            System.out = out
            System.err = err
            tmp.toFile().deleteDir()
        }
    }
}
