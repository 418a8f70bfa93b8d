package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Runs {@code ./sealwright} from a caller directory with a private daemon directory, the daemon on
 * or off, as a user would (the launcher, the C client, the resident JVM). A call that does not end
 * within its timeout is killed with its descendants and fails the test as a hang.
 */
class DaemonLauncher {
    static class Run {
        int code
        String out, err

        String toString() { "exit ${code}\n--- stdout\n${out}--- stderr\n${err}" }
    }

    final Path work, caller, daemonDir
    final long timeoutSeconds

    /** {@code caller} and the daemon directory live under {@code work}, which the test removes. */
    DaemonLauncher(Path work, long timeoutSeconds) {
        this.work = work
        this.caller = Files.createDirectories(work.resolve('caller'))
        this.daemonDir = work.resolve('d')
        this.timeoutSeconds = timeoutSeconds
    }

    Run run(String daemon, String... args) {
        def pb = new ProcessBuilder([Repo.path('sealwright').toString()] + (args as List)).directory(caller.toFile())
        pb.environment().putAll(SEALWRIGHT_BUILD: 'never', SEALWRIGHT_DAEMON: daemon, SEALWRIGHT_DAEMON_DIR: daemonDir.toString(),
                SEALWRIGHT_DAEMON_IDLE: '300')
        def outFile = Files.createTempFile(work, 'out', '.txt'), errFile = Files.createTempFile(work, 'err', '.txt')
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
        def p = pb.start()
        p.outputStream.close()
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.toHandle().descendants().forEach { it.destroyForcibly() }
            p.destroyForcibly()
            throw new AssertionError("hung: ./sealwright ${args.join(' ')} did not end within ${timeoutSeconds} s")
        }
        new Run(code: p.exitValue(), out: Files.readString(outFile), err: Files.readString(errFile))
    }

    /** The pid files of the daemons in the private directory. */
    List<Path> pidFiles() {
        Files.isDirectory(daemonDir) ? Files.list(daemonDir).withCloseable { s -> s.filter { it.toString().endsWith('.sock.pid') }.toList() } : []
    }

    /** Stops the daemon (if any) and removes {@code work}. */
    void close() {
        run('off', 'daemon', 'stop')
        work.toFile().deleteDir()
    }
}
