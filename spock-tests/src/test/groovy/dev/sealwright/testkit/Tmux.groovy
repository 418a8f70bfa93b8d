package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A program on a real pseudo-terminal, typed at as a person types: tmux creates the terminal (so this
 * works without a tty, as in CI), {@code send-keys} presses keys, {@code capture-pane} reads the
 * screen. Each instance has its own tmux server (socket) and ends it in {@link #close}. A shell that
 * ignores nothing (it traps Ctrl-C, so the program keeps the default) records the program's exit status.
 */
class Tmux implements Closeable {
    private final String socket = "sw-${ProcessHandle.current().pid()}-${UUID.randomUUID().toString().take(8)}"

    /** Starts {@code command} (argv) in {@code dir} on a terminal of the given size, with extra environment. */
    Tmux(Path dir, List<String> command, Map<String, String> env = [:], int columns = 100, int rows = 40) {
        Repo.requireTool('tmux')
        exitFile = Files.createTempFile('tmux-exit-', '.txt')
        Files.delete(exitFile)
        // sh writes the exit status (tmux's pane_dead_status is not always set); its INT trap keeps it alive
        // through a Ctrl-C meant for the program, which gets the default disposition again on exec
        List<String> argv = ['sh', '-c', 'trap true INT; "$@"; echo $? > "$0.tmp" && mv "$0.tmp" "$0"', exitFile.toString(), 'env'] +
                env.collect { k, v -> "${k}=${v}".toString() } + command
        tmux(*(['-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', "${columns}".toString(), '-y', "${rows}".toString(),
                '-c', dir.toString()] + argv + [';', 'set-option', '-t', 'main', 'remain-on-exit', 'on']))
        socketPath = Path.of(tmux('display-message', '-p', '#{socket_path}').trim())
    }

    private Path socketPath

    /** The sealwright CLI built in dsl/target, as a person starts it (a fresh JVM, not the daemon). */
    static List<String> sealwright(String... args) {
        def target = Repo.path('dsl/target')
        ['java', "-Dsealwright.home=${Repo.root()}".toString(), '-cp', "${target}/classes:${target}/lib/*".toString(),
         'dev.sealwright.cli.Main'] + (args as List)
    }

    /** Types text literally (no key names). */
    void type(String text) { tmux('send-keys', '-t', 'main', '-l', text) }

    /** Presses keys by tmux name: Tab, Enter, Up, C-c, C-d, BSpace, ... */
    void press(String... keys) { tmux(*(['send-keys', '-t', 'main'] + (keys as List))) }

    /** The visible screen, trailing blank lines dropped. */
    String screen() { tmux('capture-pane', '-p', '-t', 'main').replaceAll(/\s+$/, '') }

    /** The scrollback history and the screen, wrapped lines joined (tmux scrolls the screen by a line when it marks the pane dead). */
    String screenAndHistory() { tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'main').replaceAll(/\s+$/, '') }

    /** The screen with colours and attributes as escape sequences. */
    String screenWithEscapes() { tmux('capture-pane', '-p', '-e', '-t', 'main') }

    /** Waits until the screen satisfies {@code cond} (polls; no fixed sleeps); fails with the screen otherwise. */
    String waitFor(String what, long seconds = 60, Closure<Boolean> cond) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        String s = screen()
        while (!cond(s)) {
            assert System.nanoTime() < end: "timed out after ${seconds} s waiting for ${what}; the screen:\n${s}"
            Thread.sleep(50)
            s = screen()
        }
        s
    }

    /** Waits until the screen shows {@code text}. */
    String waitFor(String text, long seconds = 60) { waitFor("'${text}'", seconds) { String s -> s.contains(text) } }

    private final Path exitFile

    /** The program's exit status once it has ended. */
    int exitCode(long seconds = 60) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (!Files.exists(exitFile)) {
            assert System.nanoTime() < end: "the program did not end within ${seconds} s; the screen:\n${screen()}"
            Thread.sleep(50)
        }
        Files.readString(exitFile).trim() as int
    }

    /** The last screen line that starts with {@code prefix} (e.g. the prompt line being edited). */
    String lastLine(String prefix) { screen().readLines().reverse().find { it.startsWith(prefix) } }

    @Override
    void close() {
        try {
            tmux('kill-server')
        } catch (AssertionError ignored) {
            // already gone
        }
        if (socketPath != null) Files.deleteIfExists(socketPath)
        if (exitFile != null) Files.deleteIfExists(exitFile)
    }

    private String tmux(String... args) {
        def p = new ProcessBuilder(['tmux', '-L', socket] + (args as List)).redirectErrorStream(true).start()
        String out = p.inputStream.getText('UTF-8')
        assert p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0: "tmux ${args.join(' ')} failed: ${out}"
        out
    }
}
