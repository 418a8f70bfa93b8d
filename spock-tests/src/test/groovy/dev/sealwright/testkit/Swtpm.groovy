package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real swtpm (TPM 2.0, libtpms) in socket mode with its own state directory, driven by tpm2-tools
 * through the swtpm TCTI. No resource manager: at most 3 transient objects, so callers persist keys
 * and {@link #flush()} between steps. {@link #close()} kills the swtpm process and removes its files.
 */
class Swtpm implements Closeable {
    static class Result {
        int exitCode
        String out
        String err

        String toString() { "exit ${exitCode}\n--- stdout\n${out}\n--- stderr\n${err}" }
    }

    final Path dir
    private final Process process
    private final Path socket

    Swtpm() {
        Repo.requireTool('swtpm')
        Repo.requireTool('tpm2_createprimary')
        dir = Files.createTempDirectory('swtpm')
        Path state = Files.createDirectories(dir.resolve('state'))
        socket = dir.resolve('tpm.sock')
        process = new ProcessBuilder('swtpm', 'socket', '--tpm2',
                '--server', "type=unixio,path=${socket}".toString(),
                '--ctrl', "type=unixio,path=${socket}.ctrl".toString(), // the swtpm TCTI derives the control socket as path.ctrl
                '--tpmstate', "dir=${state}".toString(),
                '--flags', 'not-need-init,startup-clear')
                .redirectErrorStream(true).redirectOutput(dir.resolve('swtpm.log').toFile()).start()
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (!Files.exists(socket) || !Files.exists(dir.resolve('tpm.sock.ctrl'))) {
            if (!process.alive) throw new IllegalStateException("swtpm exited: ${Files.readString(dir.resolve("swtpm.log"))}")
            if (System.nanoTime() > deadline) { close(); throw new IllegalStateException('swtpm did not open its socket in 30 s') }
            Thread.sleep(20)
        }
    }

    /** Runs a tpm2-tools command against this TPM, in {@link #dir}. */
    Result run(String... cmd) {
        def pb = new ProcessBuilder(cmd as List<String>).directory(dir.toFile())
        pb.environment().put('TPM2TOOLS_TCTI', "swtpm:path=${socket}".toString())
        def p = pb.start()
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        def to = Thread.start { out << p.inputStream }
        def te = Thread.start { err << p.errorStream }
        assert p.waitFor(120, TimeUnit.SECONDS): "${cmd.join(' ')} did not finish in 120 s"
        to.join(); te.join()
        new Result(exitCode: p.exitValue(), out: out.toString('UTF-8'), err: err.toString('UTF-8'))
    }

    /** Runs and asserts success. */
    Result ok(String... cmd) {
        def r = run(cmd)
        assert r.exitCode == 0: "${cmd.join(' ')} failed: ${r}"
        r
    }

    /** Flushes transient objects and sessions (swtpm without a resource manager has 3 slots). */
    void flush() {
        ok('tpm2_flushcontext', '-t')
        ok('tpm2_flushcontext', '-s')
    }

    /** Creates a primary storage key (tpm2_createprimary defaults for "rsa" or "ecc"), persists it at {@code handle}. */
    Path persistSrk(String alg, String handle) {
        ok('tpm2_createprimary', '-C', 'o', '-G', alg, '-c', "srk-${alg}.ctx".toString())
        ok('tpm2_evictcontrol', '-C', 'o', '-c', "srk-${alg}.ctx".toString(), handle)
        flush()
        Path pub = dir.resolve("srk-${alg}.pub")
        ok('tpm2_readpublic', '-c', handle, '-o', pub.toString())
        pub
    }

    @Override
    void close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            process.waitFor(10, TimeUnit.SECONDS)
        }
        dir.toFile().deleteDir()
    }
}
