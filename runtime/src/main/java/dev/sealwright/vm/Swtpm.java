package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A software TPM 2.0 for one VM: {@code swtpm socket --tpm2} with its own state directory and a
 * control socket QEMU's {@code -tpmdev emulator} connects to. {@code --terminate} makes it exit
 * when QEMU goes away; {@link #close()} ends it in any case and waits for it.
 */
public final class Swtpm implements AutoCloseable {
    private final Process process;
    private final Path socket;

    private Swtpm(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    public static Swtpm start(Tools tools, Path stateDir, Path socket, Path log) throws IOException, InterruptedException {
        Files.createDirectories(stateDir);
        Files.deleteIfExists(socket);
        Process p = tools.exec("swtpm", "socket", "--tpm2",
                "--tpmstate", "dir=" + stateDir,
                "--ctrl", "type=unixio,path=" + socket,
                "--log", "file=" + log + ",level=1",
                "--terminate").start(log, log);
        Swtpm s = new Swtpm(p, socket);
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            if (!p.isAlive()) {
                s.close();
                throw new RecipeException("swtpm exited with " + p.exitValue() + " before creating its socket (log: " + log + ")");
            }
            Thread.sleep(25);
        }
        if (!Files.exists(socket)) {
            s.close();
            throw new RecipeException("swtpm did not create its socket " + socket + " within 5s (log: " + log + ")");
        }
        return s;
    }

    public Path socket() {
        return socket;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits briefly for swtpm to leave by itself (--terminate), then kills it; always reaps it. */
    @Override
    public void close() {
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    Tools.destroyTree(process);
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Tools.destroyTree(process);
            Thread.currentThread().interrupt();
        }
    }
}
