package dev.sealwright.cli

import groovy.transform.CompileStatic

import java.nio.file.Files
import java.nio.file.Path

/**
 * Run once by the launcher after a build, under -XX:ArchiveClassesAtExit (or -XX:AOTCacheOutput on
 * JDK 25+): exercises the common verbs in one JVM (recipe load and run, quote simulate + verify,
 * verity, the Java verbs measure snp/tdx/profiles and --version) so the class-data archive holds their
 * classes and every later start-up maps them instead of loading them.
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
            String data = tmp.resolve('data.bin').toString()
            Path ovmf = Path.of('/usr/share/ovmf/OVMF.fd')   // Debian's ovmf, when installed
            List<List<String>> verbs = [
                    ['--version'],
                    ['measure', 'snp', '--mode', 'snp:ovmf-hash', '--ovmf', data],
                    ['measure', 'snp', '--mode', 'sev', '--ovmf', data, '--json'],
                    ['measure', 'snp', '--ovmf', data],
                    ['measure', 'tdx', '--firmware', ovmf.toString(), '--profile', 'ubuntu-24.04'],
                    ['measure', 'profiles', '--json'],
                    ['--help'],
                    ['plan', home.resolve('samples/quickstart.groovy').toString(), '-C', tmp.toString()],
                    ['run', home.resolve('samples/checksummed.groovy').toString(), '-C', tmp.toString()],
                    ['quote', 'simulate', '--out', tmp.resolve('q.bin').toString(), '--collateral-out', tmp.resolve('c.json').toString()],
                    ['quote', 'verify', tmp.resolve('q.bin').toString(), '--collateral', tmp.resolve('c.json').toString(), '--trust-simulated', '--json'],
                    ['quote', 'show', tmp.resolve('q.bin').toString()],
                    ['verity', 'format', data, tmp.resolve('data.hash').toString()],
                    ['measure', 'profiles'],
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
