package dev.sealwright.testkit

import dev.sealwright.cli.Main

import java.nio.file.Path

/** Runs the CLI: in-process (fast, captures stdout/stderr) or as a real process through the launcher. */
class Cli {
    static class Result {
        int exitCode
        String out
        String err

        String toString() { "exit ${exitCode}\n--- stdout\n${out}\n--- stderr\n${err}" }
    }

    /** In-process, with the working directory given by -C where the command supports it. */
    static synchronized Result run(String... args) {
        def outBuf = new ByteArrayOutputStream(), errBuf = new ByteArrayOutputStream()
        def oldOut = System.out, oldErr = System.err
        System.out = new PrintStream(outBuf, true, 'UTF-8')
        System.err = new PrintStream(errBuf, true, 'UTF-8')
        int code
        try {
            code = Main.execute(args)
        } finally {
            System.out = oldOut
            System.err = oldErr
        }
        new Result(exitCode: code, out: outBuf.toString('UTF-8'), err: errBuf.toString('UTF-8'))
    }

    /**
     * A real JVM running the built CLI (dsl/target), in {@code dir}; stdout+stderr go to {@code dir/cli.log}.
     * SIGINT is put back to its default first (python3 execs java in the same process), so that a spec's
     * {@code kill -INT} acts as Ctrl-C even when the test JVM was started with SIGINT ignored, as a
     * background job of a shell without job control is: a JVM that inherits an ignored SIGINT never
     * installs its handler.
     */
    static Process start(Path dir, String... args) {
        start(dir, [:], args)
    }

    /** As {@link #start(Path, String...)}, with {@code env} added to the environment (e.g. a PATH that finds another QEMU first). */
    static Process start(Path dir, Map<String, String> env, String... args) {
        def target = Repo.path('dsl/target')
        def cmd = ['python3', '-c', 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])',
                   'java', "-Dsealwright.home=${Repo.root()}".toString(), '-cp',
                   "${target}/classes:${target}/lib/*".toString(), 'dev.sealwright.cli.Main'] + (args as List)
        def pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve('cli.log').toFile())
        pb.environment().put('CI', 'true')
        pb.environment().putAll(env)
        return pb.start()
    }
}
