package dev.sealwright.vm

import dev.sealwright.testkit.Repo
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream
import org.apache.commons.compress.archivers.cpio.CpioConstants

import java.nio.file.Files
import java.nio.file.Path
import java.util.zip.GZIPOutputStream

/**
 * Real guest parts for boot tests, all from Debian: the cloud kernel (downloaded with apt-get once,
 * cached under ~/.cache/sealwright/debs), a busybox-static initramfs written here as cpio newc,
 * and OVMF. The kernel is extracted once beside the cached .deb.
 */
class TestGuest {
    static final Path OVMF_CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
    static final Path OVMF_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
    static final String MARKER = 'SEALWRIGHT-GUEST-UP'
    static final String CMDLINE = 'console=ttyS0 panic=-1 quiet'

    private static Path kernel

    /** vmlinuz of Debian's linux-image-cloud-amd64 (TPM CRB/TIS and serial built in). */
    static synchronized Path kernel() {
        if (kernel != null && Files.exists(kernel)) return kernel
        Repo.requireTool('apt-get')
        Path cache = Path.of(System.getProperty('user.home'), '.cache/sealwright/debs')
        Files.createDirectories(cache)
        String pkg = cloudKernelPackage()
        Path deb = Files.list(cache).withCloseable { s -> s.filter { it.fileName.toString().startsWith(pkg + '_') && it.toString().endsWith('.deb') }.findFirst().orElse(null) }
        if (deb == null) {
            run(cache, 'apt-get', 'download', pkg)
            deb = Files.list(cache).withCloseable { s -> s.filter { it.fileName.toString().startsWith(pkg + '_') }.findFirst().orElseThrow() }
        }
        Path dir = cache.resolve(deb.fileName.toString() + '.d')
        if (Files.isDirectory(dir.resolve('boot'))) {
            kernel = Files.list(dir.resolve('boot')).withCloseable { s -> s.findFirst().orElseThrow() }
            return kernel
        }
        Path tmp = Files.createTempDirectory(cache, 'extract-')
        def tar = new ProcessBuilder('sh', '-c', 'dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1" --wildcards "./boot/vmlinuz-*"', deb.toString(), tmp.toString())
                .redirectErrorStream(true).start()
        def out = tar.inputStream.text
        assert tar.waitFor() == 0: "extracting the kernel from ${deb} failed: ${out}"
        Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE)
        kernel = Files.list(dir.resolve('boot')).withCloseable { s -> s.findFirst().orElseThrow() }
        return kernel
    }

    private static String cloudKernelPackage() {
        String deps = run(null, 'apt-cache', 'depends', 'linux-image-cloud-amd64')
        if (!(deps =~ /Depends: linux-image-\S+/)) {
            run(null, 'apt-get', '-q', 'update')
            deps = run(null, 'apt-cache', 'depends', 'linux-image-cloud-amd64')
        }
        def m = deps =~ /Depends: (linux-image-\d\S*-cloud-amd64)\b/
        assert m.find(): "apt knows no linux-image-cloud-amd64 dependency: ${deps}"
        return m.group(1)
    }

    private static String run(Path dir, String... cmd) {
        def pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        if (dir != null) pb.directory(dir.toFile())
        def p = pb.start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${out}"
        return out
    }

    /**
     * A gzip'd cpio newc initramfs: /bin/busybox (busybox-static) and an /init that mounts devtmpfs,
     * prints the marker with whether /dev/tpm0 exists, then either powers off or (hang) sleeps forever.
     */
    static Path initramfs(Path dir, boolean hang = false) {
        Path busybox = Repo.requireTool('busybox')
        String init = """#!/bin/busybox sh
/bin/busybox mkdir -p /proc /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
if [ -e /dev/tpm0 ]; then T=yes; else T=no; fi
echo "${hang ? 'NOT-THE-MARKER' : MARKER} tpm=\$T"
${hang ? 'while true; do /bin/busybox sleep 3600; done' : '/bin/busybox poweroff -f'}
"""
        Path out = dir.resolve(hang ? 'hang.cpio.gz' : 'init.cpio.gz')
        new GZIPOutputStream(Files.newOutputStream(out)).withCloseable { gz ->
            new CpioArchiveOutputStream(gz, CpioConstants.FORMAT_NEW).withCloseable { cpio ->
                dirEntry(cpio, 'bin')
                file(cpio, 'bin/busybox', Files.readAllBytes(busybox), 0100755)
                file(cpio, 'init', init.getBytes('UTF-8'), 0100755)
            }
        }
        return out
    }

    private static void dirEntry(CpioArchiveOutputStream cpio, String name) {
        def e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name)
        e.mode = 040755
        e.numberOfLinks = 2
        cpio.putArchiveEntry(e)
        cpio.closeArchiveEntry()
    }

    private static void file(CpioArchiveOutputStream cpio, String name, byte[] data, int mode) {
        def e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name)
        e.mode = mode
        e.size = data.length
        e.numberOfLinks = 1
        cpio.putArchiveEntry(e)
        cpio.write(data)
        cpio.closeArchiveEntry()
    }

    /** No qemu or swtpm process is left among these. */
    static boolean allGone(List<ProcessHandle> processes) {
        processes.every { !it.alive }
    }

    /** Live processes running {@code program} whose command line mentions {@code needle} (read only). */
    static List<ProcessHandle> running(String program, String needle) {
        ProcessHandle.allProcesses().filter { ProcessHandle p ->
            def exe = p.info().command().orElse('')
            p.alive && (exe == program || exe.endsWith('/' + program)) && p.info().commandLine().orElse('').contains(needle)
        }.toList()
    }
}
