package dev.sealwright.cli

import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * `sealwright repl` on a real pseudo-terminal (`script` from util-linux, Debian package bsdutils, allocates it): Ctrl-C (ETX through
 * the terminal's line discipline, so SIGINT to the JVM) during :run cancels the running step and
 * kills its process, and the REPL keeps evaluating.
 */
class ReplInterruptSpec extends Specification {
    @TempDir
    Path dir

    Process process
    Writer keys

    def cleanup() {
        process?.destroyForcibly()
    }

    private String log() { Files.exists(dir.resolve('pty.log')) ? Files.readString(dir.resolve('pty.log')) : '' }

    private boolean waitFor(long seconds, Closure<Boolean> cond) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (System.nanoTime() < end) {
            if (cond()) return true
            Thread.sleep(100)
        }
        false
    }

    private void type(String text) {
        keys.write(text)
        keys.flush()
    }

    private static List<ProcessHandle> sleepers(String marker) {
        ProcessHandle.allProcesses().filter { it.info().commandLine().orElse('').contains("sleep ${marker}") }.toList()
    }

    def "Ctrl-C during :run cancels the running step (its process dies), not the REPL; the next command works"() {
        given:
        Repo.requireTool('script')
        String marker = String.valueOf(600000 + new Random().nextInt(99999))
        def target = Repo.path('dsl/target')
        // exec: without it a non-bash $SHELL (dash, CI's /bin/sh) stays between script and the JVM, sees the
        // Ctrl-C itself and reports 130 when the JVM later exits 0
        String java = "exec java -Dsealwright.home=${Repo.root()} -cp '${target}/classes:${target}/lib/*' dev.sealwright.cli.Main repl"
        def pb = new ProcessBuilder('script', '-qfec', java, '/dev/null').directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve('pty.log').toFile())
        pb.environment().put('XDG_CONFIG_HOME', dir.resolve('config').toString())
        process = pb.start()
        keys = new OutputStreamWriter(process.outputStream, 'UTF-8')

        expect: 'the REPL is up on the terminal'
        waitFor(120) { log().contains('sealwright REPL') }

        when: 'a pipeline whose one step runs for a long time is declared and run'
        type("pipeline('p') { exec('slow') { command 'sh', '-c', 'sleep ${marker}' } }\n")
        assert waitFor(60) { log().contains('pipeline p: slow') }: log()
        type(':run\n')
        assert waitFor(60) { !sleepers(marker).isEmpty() }: log()

        and: 'Ctrl-C arrives through the terminal'
        type('\u0003')

        then: 'the step\'s process is gone and the run ends as cancelled (the terminal signals the step\'s processes too)'
        waitFor(60) { sleepers(marker).isEmpty() }
        waitFor(60) { log().contains('run cancelled (Ctrl-C); the session goes on') }
        !log().contains('pipeline p succeeded')

        when: 'the session goes on'
        type('6 * 7\n')

        then:
        waitFor(60) { log().contains('===> 42') }

        when:
        type(':quit\n')

        then:
        process.waitFor(60, TimeUnit.SECONDS)
        process.exitValue() == 0
    }
}
