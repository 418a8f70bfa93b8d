package dev.sealwright.tools

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Services (QEMU, swtpm) run under the static `lifeline` helper so that they end with the JVM that
 * started them, even when that JVM is killed with SIGKILL, and otherwise behave as if started directly.
 */
class LifelineSpec extends Specification {
    @TempDir
    Path dir

    def "the build carries lifeline and services are started under it"() {
        when:
        Process p = new Tools().exec('sleep', '30').start(dir.resolve('o'), dir.resolve('e'))

        then:
        NativeHelpers.available().contains('lifeline')
        p.info().command().orElse('').endsWith('/lifeline')
        waitForChild(p).info().command().orElse('').endsWith('/sleep')

        cleanup:
        p?.with { Tools.destroyTree(it) }
    }

    def "the program's exit status passes through, and SIGTERM to lifeline is forwarded"() {
        when:
        Process ok = new Tools().exec('sh', '-c', 'exit 7').start(dir.resolve('o'), dir.resolve('e'))
        Process slow = new Tools().exec('sleep', '600').start(dir.resolve('o'), dir.resolve('e'))
        ProcessHandle sleeper = waitForChild(slow)
        slow.destroy() // SIGTERM

        then:
        ok.waitFor(10, TimeUnit.SECONDS) && ok.exitValue() == 7
        slow.waitFor(10, TimeUnit.SECONDS) && slow.exitValue() == 128 + 15
        !sleeper.alive
    }

    def "end of file on lifeline's stdin (its JVM is gone) ends the program"() {
        given:
        Process p = new Tools().exec('sleep', '600').start(dir.resolve('o'), dir.resolve('e'))
        ProcessHandle sleeper = waitForChild(p)

        when:
        p.outputStream.close()

        then:
        p.waitFor(10, TimeUnit.SECONDS)
        sleeper.onExit().get(10, TimeUnit.SECONDS) != null
        !sleeper.alive
    }

    def "a JVM killed with SIGKILL leaves no service behind"() {
        given:
        String java = ProcessHandle.current().info().command().orElse('java')
        Process jvm = new ProcessBuilder(java, '-cp', System.getProperty('java.class.path'), LifelineProbe.name)
                .redirectErrorStream(true).start()
        def reader = new BufferedReader(new InputStreamReader(jvm.inputStream))
        String line = reader.readLine()
        assert line?.startsWith('service-pid '): "probe JVM said: ${line}"
        ProcessHandle sleeper = ProcessHandle.of(line.split(' ')[1] as long).orElseThrow()

        when:
        jvm.destroyForcibly() // SIGKILL: no shutdown hook runs
        jvm.waitFor(10, TimeUnit.SECONDS)

        then:
        sleeper.onExit().get(15, TimeUnit.SECONDS) != null
        !sleeper.alive

        cleanup:
        jvm?.destroyForcibly()
        sleeper?.destroyForcibly()
    }

    private static ProcessHandle waitForChild(Process p) {
        long deadline = System.currentTimeMillis() + 10_000
        while (System.currentTimeMillis() < deadline) {
            def c = p.descendants().findFirst()
            if (c.present) return c.get()
            Thread.sleep(20)
        }
        throw new AssertionError("no child under ${p.info().commandLine().orElse('?')}")
    }
}
