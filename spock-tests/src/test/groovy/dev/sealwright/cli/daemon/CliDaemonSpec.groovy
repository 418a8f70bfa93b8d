package dev.sealwright.cli.daemon

import dev.sealwright.testkit.DaemonLauncher
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * The CLI daemon for real: the `./sealwright` launcher (SEALWRIGHT_BUILD=never: it runs the jars
 * this build made), the static cli-client helper and a resident JVM. Every answer is compared with
 * the same command in a fresh JVM (SEALWRIGHT_DAEMON=off), run from a directory that is neither the
 * repository nor the daemon's, with relative paths.
 */
@Stepwise
class CliDaemonSpec extends Specification {
    static final String OVMF = 'snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'
    @Shared DaemonLauncher d
    @Shared Path work, caller, daemonDir

    def setupSpec() {
        d = new DaemonLauncher(Files.createTempDirectory('cli-daemon'), 300)
        work = d.work
        caller = d.caller
        daemonDir = d.daemonDir
        Files.copy(Repo.fixture(OVMF), caller.resolve('ovmf.bin'))
        Files.copy(Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem'), caller.resolve('id.pem'))
        Files.copy(Repo.fixture('snp/sev-snp-measure/keyfile/author_key_test.pem'), caller.resolve('author.pem'))
    }

    def cleanupSpec() {
        d?.close()
    }

    private DaemonLauncher.Run launcher(String daemon, String... args) {
        d.run(daemon, args)
    }

    private Long daemonPid() {
        def pids = d.pidFiles()
        pids.size() == 1 ? Files.readString(pids[0]).trim() as Long : null
    }

    static final List<String> SNP = ['measure', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--ovmf', 'ovmf.bin',
                                     '--kernel', '/dev/null', '--initrd', '/dev/null', '--append', 'console=ttyS0']

    def "the launcher routes exactly the verbs the daemon serves"() {
        given:
        def line = Files.readAllLines(Repo.path('sealwright')).find { it.startsWith('DAEMON_VERBS=') }

        expect:
        line != null
        (line =~ /"([^"]*)"/)[0][1].toString().split(' ') as List == CliDaemon.SERVED
    }

    def "measure snp through the daemon: the first call starts it, and every answer equals a fresh JVM's"() {
        Repo.requireTool('java')

        when:
        def cold = launcher('off', SNP as String[])
        def first = launcher('on', SNP as String[])
        Long pid = daemonPid()
        def second = launcher('on', (SNP + ['--output-format', 'json']) as String[])
        def coldJson = launcher('off', (SNP + ['--output-format', 'json']) as String[])

        then: 'the sev-snp-measure vector (fixtures README) from all three'
        cold.code == 0 && first.code == 0 && second.code == 0
        cold.out.trim() == '1906335189b8ba73ddc944770941b36d00032a70c001a7d3e490f19adba5fcb42f1ba2c4d203397ee0e2e433a2b3be29'
        first.out == cold.out
        second.out == coldJson.out
        first.err == '' && second.err == ''

        and: 'one resident daemon, still there, socket and directory private'
        pid != null && ProcessHandle.of(pid).map { it.alive }.orElse(false)
        daemonPid() == pid
        PosixFilePermissions.toString(Files.getPosixFilePermissions(daemonDir)) == 'rwx------'
    }

    def "files a command writes land in the caller's directory (relative --out-dir), byte for byte as a fresh JVM writes them"() {
        given:
        def args = ['snp', 'idblock', '--measurement', '11' * 48, '--id-key', 'id.pem', '--author-key', 'author.pem']

        when:
        def warm = launcher('on', (args + ['--out-dir', 'warm']) as String[])
        def cold = launcher('off', (args + ['--out-dir', 'cold']) as String[])

        then:
        warm.code == 0 && cold.code == 0
        ['id-block.base64', 'id-auth.base64', 'id-key-digest.base64', 'author-key-digest.base64'].every {
            Files.readAllBytes(caller.resolve('warm').resolve(it)) == Files.readAllBytes(caller.resolve('cold').resolve(it))
        }
        !Files.exists(daemonDir.resolve('warm'))
    }

    def "errors keep their exit status and one-line message: a missing file (1) and a usage error (2)"() {
        when:
        def missing = launcher('on', 'measure', 'snp', '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--ovmf', 'nope.fd')
        def missingCold = launcher('off', 'measure', 'snp', '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--ovmf', 'nope.fd')
        def usage = launcher('on', 'measure', 'snp', '--no-such-option')
        def usageCold = launcher('off', 'measure', 'snp', '--no-such-option')

        then: 'the daemon names the file by its absolute path in the caller\'s directory'
        missing.code == 1 && missingCold.code == 1
        missing.err.readLines().size() == 1 && missing.err.contains(caller.resolve('nope.fd').toString())
        missingCold.err.readLines().size() == 1 && missingCold.err.contains('nope.fd')
        usage.code == 2 && usageCold.code == 2
        usage.err == usageCold.err
        missing.out == '' && usage.out == ''
    }

    def "concurrent requests each get their own output"() {
        given:
        def pool = Executors.newFixedThreadPool(4)
        def two = SNP.collect { it == '4' ? '2' : it }
        def expected = launcher('off', two as String[]).out

        when:
        def futures = (1..8).collect { int i ->
            pool.submit({ launcher('on', (i % 2 == 0 ? two : ['measure', 'profiles']) as String[]) } as Callable<DaemonLauncher.Run>)
        }
        def runs = futures*.get(300, TimeUnit.SECONDS)

        then:
        runs.every { it.code == 0 && it.err == '' }
        expected.trim() ==~ /[0-9a-f]{96}/
        runs.withIndex().every { DaemonLauncher.Run r, int i -> (i + 1) % 2 == 0 ? r.out == expected : r.out.contains('ubuntu-24.04') && !r.out.contains('1906') }

        cleanup:
        pool.shutdownNow()
    }

    def "the daemon declines verbs it does not serve (cli-client exits 112, silent) and the launcher runs them in a fresh JVM"() {
        given:
        def client = Repo.path('native-helpers/target/classes/dev/sealwright/nativeio/linux-x86_64/cli-client')
        def socket = Files.list(daemonDir).withCloseable { s -> s.filter { it.toString().endsWith('.sock') }.findFirst().get() }

        when:
        def direct = new ProcessBuilder(client.toString(), socket.toString(), 'steps').directory(caller.toFile()).redirectErrorStream(true).start()
        String directOut = new String(direct.inputStream.readAllBytes(), 'UTF-8')
        def viaLauncher = launcher('on', 'steps')

        then:
        direct.waitFor(60, TimeUnit.SECONDS) && direct.exitValue() == 112 && directOut == ''
        viaLauncher.code == 0 && viaLauncher.out.contains('exec')
    }

    def "a client that goes away (Ctrl-C) cancels its request: disk encrypt stops, its temp output is removed, the daemon serves on"() {
        given: 'a 2 GiB sparse GPT disk with a 2 GiB rootfs partition'
        Repo.requireTool('sgdisk')
        def disk = caller.resolve('big.img')
        def mk = new ProcessBuilder('sh', '-c', "truncate -s 2100M ${disk} && sgdisk -o -n 1:0:+2G -t 1:8300 -c 1:cloudimg-rootfs ${disk}")
                .redirectErrorStream(true).start()
        assert mk.waitFor(60, TimeUnit.SECONDS) && mk.exitValue() == 0
        Files.writeString(caller.resolve('key'), 'cancel-me')
        launcher('on', 'measure', 'profiles')   // the daemon is up

        when: 'the encryption has started (its temp file exists), the client is killed'
        def pb = new ProcessBuilder(Repo.path('sealwright').toString(), 'disk', 'encrypt', 'big.img', '-o', 'big-enc.img', '--key-file', 'key')
                .directory(caller.toFile()).redirectErrorStream(true)
        pb.environment().putAll(SEALWRIGHT_BUILD: 'never', SEALWRIGHT_DAEMON: 'on', SEALWRIGHT_DAEMON_DIR: daemonDir.toString())
        def p = pb.start()
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (temps().isEmpty() && System.nanoTime() < until) Thread.sleep(20)
        assert !temps().isEmpty(): 'the encryption never started'
        def client = p.toHandle().descendants().filter { it.info().command().orElse('').endsWith('cli-client') }.findFirst()
        assert client.isPresent(): 'the launcher did not run cli-client'
        client.get().destroy()
        p.waitFor(60, TimeUnit.SECONDS)

        then: 'the temp output goes, no output appears, and the next request is answered'
        waitUntil(60) { temps().isEmpty() }
        !Files.exists(caller.resolve('big-enc.img'))
        launcher('on', SNP as String[]).out.startsWith('1906335189b8ba73')

        cleanup:
        Files.deleteIfExists(disk)
    }

    private List<Path> temps() {
        Files.list(caller).withCloseable { s -> s.filter { it.fileName.toString().startsWith('.big-enc.img.') }.toList() }
    }

    private static boolean waitUntil(int seconds, Closure<Boolean> cond) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (System.nanoTime() < end) {
            if (cond()) return true
            Thread.sleep(50)
        }
        cond()
    }

    def "a daemon killed with SIGKILL leaves its socket behind; the next call starts a new daemon"() {
        given:
        Long old = daemonPid()
        ProcessHandle.of(old).get().destroyForcibly()
        assert ProcessHandle.of(old).get().onExit().get(30, TimeUnit.SECONDS) != null

        when:
        def r = launcher('on', SNP as String[])

        then: 'the launcher waited for the new daemon (a stale socket file is not a live daemon) and the call went through it'
        r.code == 0 && r.out.startsWith('1906335189b8ba73')
        Long now = daemonPid()
        assert now != old && ProcessHandle.of(now).map { it.alive }.orElse(false): "no new daemon (pid file: ${now}); daemon log:\n${daemonLog()}"
    }

    private String daemonLog() {
        Files.list(daemonDir).withCloseable { s -> s.filter { it.toString().endsWith('.log') }.toList() }.collect { Files.readString(it) }.join('\n')
    }

    def "daemon stop ends it and removes its socket"() {
        given:
        Long pid = daemonPid()

        when:
        def r = launcher('off', 'daemon', 'stop')
        ProcessHandle.of(pid).ifPresent { it.onExit().get(30, TimeUnit.SECONDS) }

        then:
        r.code == 0 && r.out.contains("stopped pid ${pid}")
        !ProcessHandle.of(pid).map { it.alive }.orElse(false)
        Files.list(daemonDir).withCloseable { s -> s.noneMatch { it.toString().endsWith('.sock') } }
    }

    def "the daemon refuses a socket directory other users can enter"() {
        given:
        def open = Files.createDirectories(work.resolve('open'))
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString('rwxr-xr-x'))
        def target = Repo.path('dsl/target')

        when:
        def p = new ProcessBuilder('java', '-cp', "${target}/classes:${target}/lib/*".toString(), 'dev.sealwright.cli.daemon.CliDaemon',
                open.resolve('s.sock').toString()).redirectErrorStream(true).start()
        String out = new String(p.inputStream.readAllBytes(), 'UTF-8')

        then:
        p.waitFor(60, TimeUnit.SECONDS)
        p.exitValue() == 1
        out.trim() == "sealwright daemon: ${open}: mode rwxr-xr-x, must be rwx------ (others could run commands as you)"
        !Files.exists(open.resolve('s.sock'))
    }
}
