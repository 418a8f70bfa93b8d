package dev.sealwright.disk

import dev.sealwright.testkit.Repo

import java.nio.ByteBuffer
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.StandardOpenOption
import java.util.concurrent.TimeUnit

/**
 * cryptsetup's own LUKS2 header validation suite (tests/luks2-validation-test), taken from Debian's
 * cryptsetup source package by the real apt-get source + dpkg-source, once per source version, into
 * ~/.cache/sealwright/cryptsetup-suite/VERSION. The images are made by the suite's own generators
 * (tests/generators/generate-*.sh) from its xz base image, exactly as the suite's "[0]" step does;
 * the expected outcome of each image is read from the suite's RUN lines. Nothing is copied into the
 * project. The deb-src entry that apt needs is added by .ci/install-deps (purpose test).
 */
class CryptsetupSuite {
    /** The Debian suite whose source is used: the newest cryptsetup, whose suite has the token-removal images. */
    static final String SOURCE = 'cryptsetup/sid'

    /** One RUN line: image, expectation (R readable, F rejected, T token 0 removed and still readable), message. */
    static class Case {
        String image
        String expect
        String message
        String toString() { image }
    }

    final String version
    final Path images
    final List<Case> cases
    final List<String> generators

    private static CryptsetupSuite cached

    private CryptsetupSuite(String version, Path dir) {
        this.version = version
        this.images = dir.resolve('images')
        def script = dir.resolve('src/tests/luks2-validation-test')
        this.cases = Files.readAllLines(script).findResults { String line ->
            def m = line =~ /^RUN\s+(\S+)\s+"([A-Z])"\s+"([^"]*)"/
            m.find() ? new Case(image: m.group(1), expect: m.group(2), message: m.group(3)) : null
        } as List<Case>
        this.generators = Files.list(dir.resolve('src/tests/generators')).withCloseable { s ->
            s.map { it.fileName.toString() }.filter { it.startsWith('generate-') }.sorted().toList()
        }
    }

    static synchronized CryptsetupSuite get() {
        if (cached != null) return cached
        ['apt-get', 'dpkg-source', 'xz', 'jq', 'xxd', 'dd', 'sha256sum', 'bash', 'fallocate'].each { Repo.requireTool(it) }
        def uris = run(['apt-get', 'source', '--print-uris', '-qq', SOURCE], Path.of('/tmp'))
        def dsc = (uris.out =~ /(cryptsetup_(\S+)\.dsc)/)
        assert uris.exit == 0 && dsc.find(): "apt-get source ${SOURCE} is not available: add a deb-src entry for Debian sid " +
                "(.ci/install-deps test does it) and run apt-get update\n${uris.out}"
        String version = dsc.group(2)
        def root = Path.of(System.getProperty('user.home'), '.cache', 'sealwright', 'cryptsetup-suite')
        def dir = root.resolve(version)
        if (!Files.isDirectory(dir)) prepare(root, dir, version)
        cached = new CryptsetupSuite(version, dir)
        cached
    }

    /** apt-get source, dpkg-source -x, then the suite's generators; renamed into place when complete. */
    private static void prepare(Path root, Path dir, String version) {
        Files.createDirectories(root)
        def work = Files.createTempDirectory(root, ".${version}.")
        try {
            def dl = work.resolve('download')
            Files.createDirectories(dl)
            ok(['apt-get', 'source', '--download-only', '-qq', SOURCE], dl)
            def dscFile = Files.list(dl).withCloseable { s -> s.filter { it.toString().endsWith('.dsc') }.findFirst().get() }
            ok(['dpkg-source', '--no-check', '-x', dscFile.toString(), work.resolve('src').toString()], work)
            def tests = work.resolve('src/tests')
            def images = Files.createDirectories(work.resolve('images'))
            def base = images.resolve('luks2_valid_hdr.img')
            base.toFile().bytes = ok(['xz', '-dc', tests.resolve('luks2_valid_hdr.img.xz').toString()], tests).bytes
            Files.list(tests.resolve('generators')).withCloseable { s -> s.filter { it.fileName.toString().startsWith('generate-') }.sorted().toList() }.each { Path g ->
                ok(['bash', g.fileName.toString(), images.toString(), base.toString()], g.parent)
            }
            Files.list(images).withCloseable { s -> s.toList() }.each { Path img -> ok(['fallocate', '--dig-holes', img.toString()], images) }
            run(['rm', '-rf', dl.toString()], work)
            Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE)
        } finally {
            if (Files.exists(work)) run(['rm', '-rf', work.toString()], root)
        }
    }

    /** A sparse copy of one generated image into {@code dir} (the images are 16 MiB, mostly zeros). */
    Path copy(String image, Path dir) {
        def src = images.resolve(image), dst = dir.resolve(image)
        FileChannel.open(src).withCloseable { FileChannel i ->
            FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).withCloseable { FileChannel o ->
                def buf = ByteBuffer.allocate(65536)
                byte[] zeros = new byte[65536]
                long pos = 0
                int n
                while ((n = i.read(buf.clear(), pos)) > 0) {
                    buf.flip()
                    if (!Arrays.equals(buf.array(), 0, n, zeros, 0, n)) o.write(buf, pos)
                    pos += n
                }
            }
            new RandomAccessFile(dst.toFile(), 'rw').withCloseable { it.setLength(i.size()) }
        }
        dst
    }

    static class Result {
        int exit
        String out
        byte[] bytes
    }

    static Result run(List<String> cmd, Path cwd) {
        def pb = new ProcessBuilder(cmd).directory(cwd.toFile())
        pb.environment().put('LC_ALL', 'C')
        def p = pb.start()
        p.outputStream.close()
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        def r1 = Thread.start { out << p.inputStream }, r2 = Thread.start { err << p.errorStream }
        assert p.waitFor(600, TimeUnit.SECONDS): "${cmd} timed out"
        r1.join(); r2.join()
        new Result(exit: p.exitValue(), out: out.toString('UTF-8') + err.toString('UTF-8'), bytes: out.toByteArray())
    }

    static Result ok(List<String> cmd, Path cwd) {
        def r = run(cmd, cwd)
        assert r.exit == 0: "${cmd.join(' ')} (in ${cwd}) failed with exit ${r.exit}: ${r.out.take(2000)}"
        r
    }
}
