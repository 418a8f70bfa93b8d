package dev.sealwright.cli

import dev.sealwright.testkit.Repo
import picocli.CommandLine
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.zip.ZipFile

/**
 * The launcher's build rewrites picocli's Java 5 class files (dsl/src/build/OldClassFiles.java) so that
 * an ahead-of-time cache can hold them (docs/daemon.md). Witnesses: the class-file versions in the
 * rewritten jar, and JDK 25's own class-load log of a JVM started with a cache trained on each jar —
 * the original jar's classes never come from the cache (the control), the rewritten jar's do, and the
 * verb prints the same.
 * <p>
 * Without a JDK 25 the launcher makes no AOT cache and rewrites nothing (it picks the newest JDK; the rewrite needs 24,
 * the cache 25), so there is nothing to witness: on a new Debian 12 machine with only its JDK 17 this spec is reported
 * as skipped, with that reason. The project's machines and CI have /usr/lib/jvm/temurin-25-jdk-amd64.
 */
@Requires(value = { Files.isExecutable(OldClassFilesSpec.JDK25) },
        reason = 'no JDK 25 at /usr/lib/jvm/temurin-25-jdk-amd64: the launcher makes no AOT cache and rewrites no class files without one (docs/daemon.md)')
class OldClassFilesSpec extends Specification {
    static final Path JDK25 = Path.of('/usr/lib/jvm/temurin-25-jdk-amd64/bin/java')

    @Shared
    @TempDir
    Path dir

    @Shared
    Path original = Path.of(CommandLine.protectionDomain.codeSource.location.toURI())

    private static String exec(List cmd) {
        def p = new ProcessBuilder(cmd.collect { it.toString() }).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor() == 0: out
        return out
    }

    private static Map<String, Integer> majorVersions(Path jar) {
        new ZipFile(jar.toFile()).withCloseable { z ->
            z.entries().toList().findAll { it.name.endsWith('.class') && it.name.startsWith('picocli/') }.collectEntries { e ->
                byte[] head = z.getInputStream(e).readNBytes(8)
                [e.name, ((head[6] & 0xff) << 8) | (head[7] & 0xff)]
            }
        }
    }

    /** Output of {@code Main --version} and the picocli classes that came from the AOT cache trained on {@code picocli}. */
    private Map fromCache(Path picocli, String name) {
        assert Files.isExecutable(JDK25): "JDK 25 missing at ${JDK25} (the launcher's AOT caches need it)"
        def target = Repo.path('dsl/target')
        // CDS takes jars only (no class directories) on the class path
        String cp = "${target}/sealwright-dsl.jar:${picocli}:" + Files.list(target.resolve('lib')).toList()
                .findAll { !it.fileName.toString().startsWith('picocli-') }.join(':')
        Path cache = dir.resolve("${name}.aot"), log = dir.resolve("${name}.log")
        exec([JDK25, "-XX:AOTCacheOutput=${cache}", '-Xlog:aot=off', '-Xlog:cds=off', '-cp', cp, 'dev.sealwright.cli.Main', '--version'])
        String out = exec([JDK25, "-XX:AOTCache=${cache}", '-Xlog:aot=off', '-Xlog:cds=off', "-Xlog:class+load:file=${log}", '-cp', cp, 'dev.sealwright.cli.Main', '--version'])
        [out: out, shared: Files.readAllLines(log).findAll { it.contains(' picocli.') && it.contains('shared objects file') }.size()]
    }

    def "picocli's class files become version 52, and the AOT cache then holds them"() {
        expect: 'picocli as published: Java 5 class files'
        majorVersions(original).values().toSet() == [49] as Set

        when:
        Path rewritten = dir.resolve('picocli.jar')
        String count = exec([JDK25, Repo.path('dsl/src/build/OldClassFiles.java'), original, rewritten]).trim()
        def versions = majorVersions(rewritten)

        then:
        count as int == versions.size()
        versions.values().toSet() == [52] as Set
        versions.keySet() == majorVersions(original).keySet()

        when:
        def before = fromCache(original, 'original')
        def after = fromCache(rewritten, 'rewritten')

        then:
        before.shared == 0
        after.shared > 100
        after.out == before.out
        after.out.startsWith('sealwright ')
    }
}
