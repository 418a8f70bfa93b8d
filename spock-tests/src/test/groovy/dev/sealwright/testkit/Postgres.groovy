package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.sql.DriverManager
import java.util.concurrent.TimeUnit

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package, installed by .ci/install-deps test)
 * on a loopback port with a throwaway data directory: initdb, pg_ctl start, trust authentication on
 * 127.0.0.1 only. PostgreSQL refuses to run as root, so as root it runs as the {@code postgres}
 * user (runuser). {@link #close()} stops it ({@code pg_ctl stop -m immediate}) and removes the directory.
 */
class Postgres implements Closeable {
    static final String USER = 'sealwright'

    final Path dir
    final int port
    private final Path bin
    private final boolean asRoot

    Postgres() {
        bin = binDir()
        asRoot = System.getProperty('user.name') == 'root'
        dir = Files.createTempDirectory(Path.of('/tmp'), 'pg-test', PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rwx------')))
        if (asRoot) {
            run(['chown', 'postgres:postgres', dir.toString()], false)
        }
        run([bin.resolve('initdb').toString(), '-D', "${dir}/data".toString(), '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-sync'], true)
        port = start()
    }

    /**
     * Starts the server on a port probed free just before. Another process can take that port before the server
     * binds it; then (the log says "Address already in use") another port is tried, three in all.
     */
    private int start() {
        for (int attempt = 1; ; attempt++) {
            int p = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()).withCloseable { it.localPort }
            try {
                run([bin.resolve('pg_ctl').toString(), '-D', "${dir}/data".toString(), '-l', "${dir}/server.log".toString(), '-w', '-t', '60',
                     '-o', "-p ${p} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off".toString(), 'start'], true)
                return p
            } catch (IllegalStateException e) {
                if (attempt == 3 || !e.message.contains('Address already in use')) throw e
            }
        }
    }

    /** The server's bin directory (newest installed major version); fails naming the package when absent. */
    static Path binDir() {
        def base = Path.of('/usr/lib/postgresql')
        def found = Files.isDirectory(base) ? Files.list(base).withCloseable { s ->
            s.filter { Files.isExecutable(it.resolve('bin/initdb')) }.sorted { a, b -> (b.fileName.toString() as int) <=> (a.fileName.toString() as int) }.findFirst()
        } : Optional.empty()
        if (!found.present) {
            throw new IllegalStateException('PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb): install the Debian package postgresql (.ci/install-deps test)')
        }
        found.get().resolve('bin')
    }

    /** A new empty database; its JDBC URL (user in the query, no password: trust on loopback). */
    String createDatabase(String name) {
        DriverManager.getConnection("jdbc:postgresql://127.0.0.1:${port}/postgres?user=${USER}".toString()).withCloseable { c ->
            c.createStatement().withCloseable { it.execute("CREATE DATABASE ${name}".toString()) }
        }
        "jdbc:postgresql://127.0.0.1:${port}/${name}?user=${USER}".toString()
    }

    private void run(List<String> cmd, boolean asPostgres) {
        def full = asPostgres && asRoot ? ['runuser', '-u', 'postgres', '--'] + cmd : cmd
        def p = new ProcessBuilder(full).redirectErrorStream(true).start()
        def out = p.inputStream.text
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            def log = Files.exists(dir.resolve('server.log')) ? Files.readString(dir.resolve('server.log')) : ''
            throw new IllegalStateException("${full.join(' ')} failed:\n${out}\n${log}")
        }
    }

    void close() {
        try {
            run([bin.resolve('pg_ctl').toString(), '-D', "${dir}/data".toString(), '-m', 'immediate', '-w', 'stop'], true)
        } finally {
            dir.toFile().deleteDir()
        }
    }
}
