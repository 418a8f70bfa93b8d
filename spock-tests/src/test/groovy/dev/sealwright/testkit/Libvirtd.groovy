package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path

/**
 * A real libvirtd and virtlogd for one spec, started by the project's .ci/libvirtd-private (no
 * systemd; a private mount namespace keeps the host's /etc/libvirt, /run/libvirt and
 * /var/lib/libvirt untouched). {@link #uri} reaches it; {@link #close} stops both daemons.
 */
class Libvirtd implements Closeable {
    final Path dir
    final String uri

    Libvirtd() {
        Repo.requireTool('virsh')
        ['/usr/sbin/libvirtd', '/usr/sbin/virtlogd'].each {
            assert Files.isExecutable(Path.of(it)): "${it} is required by this test: Debian package libvirt-daemon; .ci/install-deps installs it"
        }
        assert Files.isRegularFile(Path.of('/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so')):
                'libvirt-daemon-driver-qemu is required by this test; .ci/install-deps installs it'
        dir = Files.createTempDirectory('libvirtd-')
        uri = "qemu:///system?socket=${dir}/libvirt-sock".toString()
        def r = script('start')
        assert r.exit == 0: "libvirtd did not start: ${r.out}"
    }

    /** libvirt's swtpm state directory (per domain UUID) and NVRAM directory, as the daemon sees them. */
    Path swtpmStates() { dir.resolve('lib/swtpm') }
    Path nvrams() { dir.resolve('lib/qemu/nvram') }

    /** The daemon's main process, whose children are the QEMU and swtpm processes of its domains. */
    ProcessHandle daemon() { ProcessHandle.of(Files.readString(dir.resolve('libvirtd.pid')).strip() as long).orElseThrow() }

    /** virsh against this daemon: exit code and stdout+stderr. */
    Map virsh(String... args) {
        def p = new ProcessBuilder(['virsh', '-q', '-c', uri] + (args as List)).redirectErrorStream(true).start()
        def out = p.inputStream.text
        [exit: p.waitFor(), out: out]
    }

    private Map script(String verb) {
        def p = new ProcessBuilder(Repo.path('.ci/libvirtd-private').toString(), verb, dir.toString()).redirectErrorStream(true).start()
        def out = p.inputStream.text
        [exit: p.waitFor(), out: out]
    }

    @Override
    void close() {
        script('stop')
        dir.toFile().deleteDir()
    }
}
