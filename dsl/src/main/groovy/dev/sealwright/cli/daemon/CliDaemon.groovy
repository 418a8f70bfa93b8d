package dev.sealwright.cli.daemon

import dev.sealwright.cli.CliContext
import dev.sealwright.cli.Main
import dev.sealwright.base.OneLine
import groovy.transform.CompileStatic
import jdk.net.ExtendedSocketOptions
import jdk.net.UnixDomainPrincipal

import java.nio.channels.Channels
import java.nio.channels.ClosedChannelException
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermission
import java.nio.file.attribute.PosixFilePermissions
import java.net.StandardProtocolFamily
import java.net.UnixDomainSocketAddress
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong

/**
 * A resident JVM that runs short CLI verbs for the {@code cli-client} helper, so a command costs a
 * socket round trip instead of a JVM, Groovy and picocli start-up (the Gradle-daemon idea).
 *
 *   java ... CliDaemon SOCKET
 *
 * Only {@link #SERVED} verbs run here: commands that read files, compute, write files and print,
 * with no services and no environment of their own. Standard input is not available (reading it
 * fails; the launcher sends no command with a "-" argument). Each request runs on its own thread in
 * the client's working directory ({@link CliContext}), with System.out/err routed to the client;
 * when the client goes away (Ctrl-C) the request thread is interrupted, which aborts its file I/O
 * like a killed process would. The socket's
 * directory must be the user's own (0700), and only the daemon's own user may connect
 * (SO_PEERCRED). The daemon exits after {@code sealwright.daemon.idle} seconds without requests
 * (default 1800), on SIGTERM, when its socket file is removed or replaced, and when its own jar was
 * rebuilt (it declines the request that notices, so the launcher runs it in a fresh JVM).
 */
@CompileStatic
final class CliDaemon {
    /** Verbs the daemon runs; the launcher routes the same list (CliDaemonSpec checks they agree). */
    static final List<String> SERVED = ['measure', 'snp', 'attest', 'quote', 'eventlog', 'verity', 'uki', 'disk', 'luks', 'initramfs'].asImmutable()

    private final Path socket
    private final long idleNanos
    private final AtomicInteger active = new AtomicInteger()
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime())
    private final RoutedOutput out, err
    private final String user = System.getProperty('user.name')
    private final String build = buildStamp()
    private ServerSocketChannel server
    private Object socketKey

    CliDaemon(Path socket, long idleSeconds) {
        this.socket = socket.toAbsolutePath()
        this.idleNanos = idleSeconds * 1_000_000_000L
        this.out = new RoutedOutput(new FileOutputStream(FileDescriptor.out))
        this.err = new RoutedOutput(new FileOutputStream(FileDescriptor.err))
    }

    static void main(String[] args) {
        if (args.length != 1) {
            System.err.println('usage: CliDaemon SOCKET')
            System.exit(2)
        }
        long idle = Long.getLong('sealwright.daemon.idle', 1800L)
        System.exit(new CliDaemon(Path.of(args[0]), idle).serve())
    }

    /** Serves until idle or stopped; returns the exit status (0, or 1 when it could not start). */
    int serve() {
        String problem = checkDirectory(socket.parent)
        if (problem != null) {
            System.err.println("sealwright daemon: ${problem}")
            return 1
        }
        if (!bind()) return 0   // another daemon already serves this socket
        System.out = new PrintStream(out, true, StandardCharsets.UTF_8)
        System.err = new PrintStream(err, true, StandardCharsets.UTF_8)
        System.in = new InputStream() {
            @Override
            int read() { throw new IOException('standard input is not available in the CLI daemon (SEALWRIGHT_DAEMON=off runs commands in their own JVM)') }
        }
        Path pid = Path.of(socket.toString() + '.pid')
        Files.writeString(pid, ProcessHandle.current().pid() + '\n')
        Runtime.runtime.addShutdownHook(new Thread({ stop(pid) } as Runnable))
        ExecutorService pool = Executors.newCachedThreadPool({ Runnable r ->
            def t = new Thread(r, 'cli-daemon-request')
            t.daemon = true
            t
        })
        Thread watchdog = new Thread({ watch() } as Runnable, 'cli-daemon-watchdog')
        watchdog.daemon = true
        watchdog.start()
        println "sealwright daemon: serving ${socket} (pid ${ProcessHandle.current().pid()})"
        while (true) {
            SocketChannel ch
            try {
                ch = server.accept()
            } catch (ClosedChannelException ignored) {
                while (active.get() > 0) Thread.sleep(20)   // let running requests answer
                return 0
            }
            active.incrementAndGet()
            lastActivity.set(System.nanoTime())
            pool.execute { handle(ch, pool) }
        }
    }

    /** The socket directory must be a directory of this user that nobody else can enter. */
    static String checkDirectory(Path dir) {
        if (!Files.isDirectory(dir)) return "${dir}: no such directory"
        def perms = Files.getPosixFilePermissions(dir)
        def owner = Files.getOwner(dir).name
        if (owner != System.getProperty('user.name')) return "${dir}: owned by ${owner}, not by ${System.getProperty('user.name')}"
        if (perms != PosixFilePermissions.fromString('rwx------'))
            return "${dir}: mode ${PosixFilePermissions.toString(perms)}, must be rwx------ (others could run commands as you)"
        null
    }

    private boolean bind() {
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                return false   // a live daemon answers
            } catch (IOException ignored) {
                Files.deleteIfExists(socket)   // left by a daemon that was killed
            }
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
        try {
            server.bind(UnixDomainSocketAddress.of(socket))
        } catch (IOException e) {
            server.close()
            return false    // another daemon bound it first
        }
        Files.setPosixFilePermissions(socket, [PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE] as Set)
        socketKey = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes).fileKey()
        true
    }

    private void handle(SocketChannel ch, ExecutorService pool) {
        try {
            def input = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)))
            // not Channels.newOutputStream: its writes wait for the watcher's blocking read below
            def conn = new DataOutputStream(new BufferedOutputStream(new OutputStream() {
                @Override
                void write(int b) { write([(byte) b] as byte[], 0, 1) }

                @Override
                void write(byte[] b, int off, int len) {
                    def buf = java.nio.ByteBuffer.wrap(b, off, len)
                    while (buf.hasRemaining()) ch.write(buf)
                }
            }, 1 << 16))
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED)
            if (peer.user().name != user) {
                System.err.println("sealwright daemon: refused a request from user ${peer.user().name}")
                return
            }
            def request = DaemonProtocol.readRequest(input)
            String verb = request.args.find { String a -> !a.startsWith('-') }
            if (buildStamp() != build) {
                DaemonProtocol.writeNotServed(conn)
                println 'sealwright daemon: the jar was rebuilt, stopping'
                retire()
                return
            }
            if (!(verb in SERVED)) {
                DaemonProtocol.writeNotServed(conn)
                return
            }
            def stdout = new FramedOutput(conn, DaemonProtocol.STDOUT), stderr = new FramedOutput(conn, DaemonProtocol.STDERR)
            out.route(stdout)
            err.route(stderr)
            int status
            Thread requestThread = Thread.currentThread()
            def done = new java.util.concurrent.atomic.AtomicBoolean()
            // the client sends nothing after its request: end of stream means it is gone
            pool.execute {
                try {
                    ch.read(java.nio.ByteBuffer.allocate(1))
                } catch (IOException ignored) {
                    // the channel was closed: the request is over either way
                }
                if (!done.get()) requestThread.interrupt()
            }
            try {
                status = CliContext.within(request.cwd, request.colour) { Main.execute(request.args as String[]) }
            } catch (Throwable t) {
                System.err.println("error: ${t.getClass().simpleName}${t.message ? ': ' + OneLine.of(t.message) : ''}")
                status = 1
            } finally {
                done.set(true)
                Thread.interrupted()   // an interrupt meant for this request must not outlive it
                System.out.flush()
                System.err.flush()
                out.route(null)
                err.route(null)
            }
            synchronized (conn) {
                DaemonProtocol.writeExit(conn, status)
            }
        } catch (IOException e) {
            System.err.println("sealwright daemon: request dropped (the client went away or sent a bad request): ${e.getClass().simpleName}${e.message ? ": " + e.message : ""}")
        } finally {
            ch.close()
            lastActivity.set(System.nanoTime())
            active.decrementAndGet()
        }
    }

    /** Stops accepting: the socket goes at once, running requests finish, then serve() returns. */
    private synchronized void retire() {
        if (sameSocket()) Files.deleteIfExists(socket)
        server.close()
    }

    /** The jar this daemon was loaded from: modification time and size, or "" when not run from a jar. */
    private static String buildStamp() {
        try {
            Path jar = Path.of(CliDaemon.protectionDomain.codeSource.location.toURI())
            if (!Files.isRegularFile(jar)) return ''
            return Files.getLastModifiedTime(jar).toMillis() + '/' + Files.size(jar)
        } catch (Exception ignored) {
            return ''
        }
    }

    private void watch() {
        while (true) {
            Thread.sleep(1000)
            if (!sameSocket()) {
                println 'sealwright daemon: socket removed or replaced, stopping'
                System.exit(0)
            }
            if (active.get() == 0 && System.nanoTime() - lastActivity.get() > idleNanos) {
                println 'sealwright daemon: idle, stopping'
                System.exit(0)
            }
        }
    }

    private boolean sameSocket() {
        try {
            return Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes).fileKey() == socketKey
        } catch (IOException ignored) {
            return false
        }
    }

    private void stop(Path pid) {
        server?.close()
        if (sameSocket()) Files.deleteIfExists(socket)
        try {
            if (Files.readString(pid).trim() == String.valueOf(ProcessHandle.current().pid())) Files.delete(pid)
        } catch (IOException ignored) {
            // another daemon's pid file by now, or already gone
        }
    }
}
