package dev.sealwright.cli

import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * `measure tdx` loads native code (JNA and libcrypto, base.BulkDigest). From JDK 24 on the JVM prints four WARNING lines on
 * stderr for that unless the launcher enables native access (JEP 472); the launcher picks the newest JDK it finds, so the
 * user would see them on every fresh-JVM run. Run here on the newest JDK in /usr/lib/jvm (25 on the project's machines) and
 * on the one on PATH (17, as on a new Debian 12 machine with only its JDK: there the launcher used to end with status 1
 * and no message, a `[ ] &&` as the last command of a function under set -e).
 */
class NativeAccessLauncherSpec extends Specification {
    @TempDir Path dir

    def "measure tdx with a PE kernel in a fresh JVM on #jdk prints the prediction and nothing on stderr"() {
        given:
        def pb = new ProcessBuilder(Repo.path('sealwright').toString(), 'measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd',
                '--kernel', '/usr/lib/systemd/boot/efi/linuxx64.efi.stub').directory(dir.toFile())
        pb.environment().putAll(SEALWRIGHT_BUILD: 'never', SEALWRIGHT_DAEMON: 'off')
        if (home != null) pb.environment().put('SEALWRIGHT_JAVA_HOME', home)
        pb.redirectOutput(dir.resolve('out').toFile()).redirectError(dir.resolve('err').toFile())

        when:
        def p = pb.start()
        p.outputStream.close()
        assert p.waitFor(300, TimeUnit.SECONDS): 'measure tdx did not end within 300 s'

        then:
        p.exitValue() == 0 || { throw new AssertionError("exit ${p.exitValue()}: " + Files.readString(dir.resolve('err'))) }()
        Files.readString(dir.resolve('out')) =~ /(?m)^mrtd +[0-9a-f]{96}$/
        Files.readString(dir.resolve('err')) == ''

        where:
        jdk << ['the newest JDK', 'JDK on PATH']
        home << [newestJdk(), System.getProperty('java.home')]
    }

    /** The newest JDK >= 17 in /usr/lib/jvm, as the launcher picks it (null: let the launcher pick). */
    static String newestJdk() {
        def best = null, major = 0
        new File('/usr/lib/jvm').eachDir { File d ->
            def release = new File(d, 'release')
            def m = release.isFile() ? (release.text =~ /JAVA_VERSION="(\d+)/) : null
            if (m && m.find() && new File(d, 'bin/java').canExecute() && (m.group(1) as int) > major) { major = m.group(1) as int; best = d.path }
        }
        best
    }
}
