package dev.sealwright.vm;

import dev.sealwright.base.Progress;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running VM: QEMU (and swtpm for a vTPM) started from a {@link VmSpec}. The serial console goes
 * to {@code serial.log} and is streamed line by line; {@link #waitFor} blocks until a line matches;
 * {@link #shutdown} asks the guest to power off over QMP, then quits and finally kills;
 * {@link #close} always leaves no process behind. Live handles are also killed by a JVM shutdown
 * hook, so Ctrl-C and exits leave no orphans.
 */
public final class VmHandle implements AutoCloseable {
    private static final Set<VmHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(VmHandle::kill), "sealwright-vm-reaper"));
    }

    private final VmSpec spec;
    private final VmRunDir run;
    private final List<String> argv;
    private final Process qemu;
    private final Swtpm swtpm;
    private final List<String> lines = new ArrayList<>();
    private final Thread tail;
    private final Runnable teardown;
    private volatile boolean closed;

    private VmHandle(VmSpec spec, VmRunDir run, List<String> argv, Process qemu, Swtpm swtpm, Runnable teardown, Consumer<String> console) {
        this.spec = spec;
        this.teardown = teardown;
        this.run = run;
        this.argv = argv;
        this.qemu = qemu;
        this.swtpm = swtpm;
        this.tail = new Thread(() -> follow(console), "sealwright-vm-console");
        this.tail.setDaemon(true);
        this.tail.start();
    }

    /**
     * Checks the spec against this host and its files and ports, then starts swtpm (for a vTPM) and
     * QEMU with the run files under {@code runDir}. Every error the user can fix is a one-line
     * {@link RecipeException} raised before QEMU starts.
     */
    public static VmHandle launch(VmSpec spec, Tools tools, HostCapabilities host, Path runDir, Consumer<String> console)
            throws IOException, InterruptedException {
        spec = spec.withFreeHostPorts();   // a no-op when the caller already chose (LaunchStep records its choice in vm.json)
        spec.checkFiles();
        Optional<String> refused = host.refusal(spec);
        if (refused.isPresent()) throw new RecipeException("cannot launch on this host: " + refused.get());
        for (PortForward f : spec.forwards()) checkPortFree(f);
        VmRunDir run = new VmRunDir(runDir.toAbsolutePath());
        Files.createDirectories(run.dir());
        if (spec.pflash()) Files.copy(Path.of(spec.vars()), run.varsCopy(), StandardCopyOption.REPLACE_EXISTING);
        if (spec.boot() == VmSpec.Boot.UKI) EspImage.write(tools, Path.of(spec.uki()), run.espImage());
        if (spec.tpmState() != null) copyTpmState(Path.of(spec.tpmState()), run.tpmStateDir());
        Files.deleteIfExists(run.serialLog());
        Files.deleteIfExists(run.qmpSocket());
        Files.writeString(run.serialLog(), "");
        Swtpm tpm = spec.vtpm() ? Swtpm.start(tools, run.tpmStateDir(), run.tpmSocket(), run.tpmLog()) : null;
        Process p;
        List<String> argv;
        try {
            argv = QemuCommandLine.build(spec, tools.find("qemu-system-x86_64").toString(), host.qemuVersion(),
                    host.accelerator(), run);
            Files.writeString(run.dir().resolve("qemu.argv"), String.join("\n", argv) + "\n");
            p = tools.exec("qemu-system-x86_64", argv.subList(1, argv.size()).toArray()).start(run.qemuLog(), run.qemuLog());
        } catch (RuntimeException e) {
            if (tpm != null) tpm.close();
            throw e;
        }
        VmHandle h = new VmHandle(spec, run, argv, p, tpm, null, console == null ? l -> { } : console);
        LIVE.add(h);
        h.awaitQmpSocket();
        return h;
    }

    /**
     * A VM someone else runs (a libvirt domain): {@code console} is the process copying its serial
     * console into {@code serial.log} and ends with the VM; {@code teardown} ends the VM itself and
     * replaces the QMP power-off of {@link #shutdown}.
     */
    static VmHandle attach(VmSpec spec, VmRunDir run, List<String> argv, Process console, Runnable teardown, Consumer<String> sink) {
        VmHandle h = new VmHandle(spec, run, argv, console, null, teardown, sink == null ? l -> { } : sink);
        LIVE.add(h);
        return h;
    }

    /** The vTPM's starting state: the files of a swtpm state directory, copied (the original is never written). */
    public static void copyTpmState(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList())
                if (Files.isRegularFile(f)) Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void checkPortFree(PortForward f) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), f.hostPort()));
        } catch (IOException e) {
            throw new RecipeException("forward " + f + ": host port " + f.hostPort() + " is already in use");
        }
    }

    private void awaitQmpSocket() throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(run.qmpSocket())) return;
            if (!qemu.isAlive()) {
                String why = qemuLogTail();
                kill();
                throw new RecipeException("qemu exited with " + qemu.exitValue() + " at start" + (why.isEmpty() ? "" : ": " + why));
            }
            Thread.sleep(50);
        }
        kill();
        throw new RecipeException("qemu did not open its QMP socket within 30s (log: " + run.qemuLog() + ")");
    }

    private String qemuLogTail() {
        try {
            List<String> l = Files.readAllLines(run.qemuLog()).stream().filter(s -> !s.isBlank()).toList();
            return String.join(" | ", l.subList(Math.max(0, l.size() - 3), l.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private void follow(Consumer<String> console) {
        ConsoleLines split = new ConsoleLines(line -> emit(line, console));
        try (RandomAccessFile f = new RandomAccessFile(run.serialLog().toFile(), "r")) {
            byte[] buf = new byte[8192];
            boolean exited = false;
            while (true) {
                int n = f.read(buf);
                if (n > 0) {
                    split.accept(new String(buf, 0, n, StandardCharsets.UTF_8));
                    continue;
                }
                if (exited || closed) break;
                exited = !qemu.isAlive();
                if (!exited) Thread.sleep(50);
            }
        } catch (IOException | InterruptedException e) {
            // the log went away or we are closing: nothing more to stream
        }
        split.finish();
        synchronized (lines) {
            lines.notifyAll();
        }
    }

    /** Streams the line first, then records it: a line waitFor returns has already been streamed. */
    private void emit(String line, Consumer<String> console) {
        console.accept(line);
        synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
        }
    }

    /**
     * Blocks until a console line matches {@code regex} and returns it. If the guest does not print
     * it within {@code timeout}, the VM is killed and a RecipeException says so; likewise if QEMU
     * exits first.
     */
    public String waitFor(Pattern regex, Duration timeout) throws InterruptedException {
        return waitFor(regex, timeout, Progress.NONE);
    }

    /** {@link #waitFor(Pattern, Duration)}, reporting whole seconds waited of the timeout's seconds to {@code waited}. */
    public String waitFor(Pattern regex, Duration timeout, Progress waited) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long reported = -1;
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    Matcher m = regex.matcher(lines.get(seen));
                    if (m.find()) return lines.get(seen);
                }
                if (!tail.isAlive()) {
                    String exit = qemu.isAlive() ? "stopped" : "exited with " + qemu.exitValue();
                    throw new RecipeException("VM " + exit + " before its console printed /" + regex + "/" + lastLines());
                }
                long now = System.nanoTime();
                long left = deadline - now;
                long seconds = TimeUnit.NANOSECONDS.toSeconds(now - start);
                if (seconds != reported) waited.update(reported = Math.min(seconds, timeout.toSeconds()), timeout.toSeconds());
                if (left <= 0) break;
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
        kill();
        throw new RecipeException("VM killed: its console did not print /" + regex + "/ within " + timeout.toSeconds() + "s" + lastLines());
    }

    private String lastLines() {
        synchronized (lines) {
            if (lines.isEmpty()) return " (console empty; log: " + run.serialLog() + ")";
            List<String> l = lines.subList(Math.max(0, lines.size() - 3), lines.size());
            return "; last console lines: " + String.join(" | ", l);
        }
    }

    /** Waits for QEMU to exit by itself (the guest powered off); kills it at the timeout. Returns its exit code. */
    public int waitForExit(Duration timeout) throws InterruptedException {
        if (!qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new RecipeException("VM killed: it did not power off within " + timeout.toSeconds() + "s" + lastLines());
        }
        tail.join(5000); // the console follower reads the log to its end once QEMU has exited
        reap();
        return qemu.exitValue();
    }

    /** Clean shutdown: ACPI power button over QMP, then QMP quit after {@code grace}, then kill. */
    public void shutdown(Duration grace) throws InterruptedException {
        if (teardown != null) {
            kill();
            return;
        }
        if (qemu.isAlive()) {
            try (Qmp q = Qmp.connect(run.qmpSocket())) {
                q.execute("system_powerdown");
                if (!qemu.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) q.execute("quit");
            } catch (IOException e) {
                // QMP gone or refused: fall through to the kill below
            }
            if (!qemu.waitFor(5, TimeUnit.SECONDS)) kill();
        }
        reap();
    }

    /** Hard kill of QEMU and swtpm; waits until both are gone. */
    public void kill() {
        Tools.destroyTree(qemu);
        try {
            qemu.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reap();
    }

    private void reap() {
        if (teardown != null) teardown.run();
        if (swtpm != null) swtpm.close();
        LIVE.remove(this);
        closed = true;
    }

    @Override
    public void close() {
        try {
            shutdown(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
        try {
            tail.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean alive() {
        return qemu.isAlive();
    }

    /** Every process this VM started (qemu, swtpm), for checks that none outlives it. */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> l = new ArrayList<>();
        l.add(qemu.toHandle());
        if (swtpm != null) l.add(swtpm.handle());
        return l;
    }

    /** Console lines so far. */
    public List<String> console() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public List<String> argv() {
        return argv;
    }

    public VmRunDir runDir() {
        return run;
    }

    public VmSpec spec() {
        return spec;
    }
}
