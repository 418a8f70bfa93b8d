package dev.sealwright.files

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import org.apache.commons.compress.archivers.tar.TarArchiveEntry
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime
import java.nio.file.attribute.PosixFilePermissions

/** The quickstart's file formats, checked against GNU tar and coreutils sha256sum in both directions. */
class FilesSpec extends Specification {
    @TempDir
    Path dir

    Path tree(String name) {
        def root = dir.resolve(name)
        Files.createDirectories(root.resolve('sub/deeper'))
        Files.writeString(root.resolve('a.txt'), 'alpha\n')
        Files.writeString(root.resolve('sub/b.txt'), 'beta\n')
        Files.writeString(root.resolve('sub/deeper/c.bin'), 'x' * 10000)
        def run = root.resolve('run.sh')
        Files.writeString(run, '#!/bin/sh\n')
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString('rwxr-x---'))
        Files.createSymbolicLink(root.resolve('link'), Path.of('sub/b.txt'))
        root
    }

    byte[] pack(Path root, long epoch = 0) {
        def out = new ByteArrayOutputStream()
        ReproducibleTar.writeTarGz(root, epoch, out)
        out.toByteArray()
    }

    def "the same tree packed in two places at different times gives identical bytes"() {
        given:
        def one = tree('one')
        def two = tree('two')
        Files.walk(two).forEach { Files.setLastModifiedTime(it, FileTime.fromMillis(1_000_000_000_000L)) }

        expect:
        pack(one) == pack(two)
        pack(one, 1700000000) != pack(one)
    }

    def "GNU tar reads our archive: sorted names, owner 0/0, SOURCE_DATE_EPOCH, normalised modes"() {
        given:
        Repo.requireTool('tar')
        def archive = dir.resolve('t.tar.gz')
        Files.write(archive, pack(tree('t'), 1700000000))

        when:
        def listing = ['tar', '--numeric-owner', '--full-time', '-tvzf', archive.toString()].execute()
        def lines = listing.text.readLines()
        listing.waitFor()

        then:
        listing.exitValue() == 0
        lines.collect { it.split(/\s+/)[5] } == ['a.txt', 'link', 'run.sh', 'sub/', 'sub/b.txt', 'sub/deeper/', 'sub/deeper/c.bin']
        lines.every { it.split(/\s+/)[1] == '0/0' }
        lines.every { it.contains('2023-11-14 22:13:20') }
        lines.find { it.endsWith(' run.sh') }.startsWith('-rwxr-xr-x')
        lines.find { it.endsWith(' a.txt') }.startsWith('-rw-r--r--')
        lines.find { it.contains(' link -> ') }.endsWith('link -> sub/b.txt')

        and: 'gzip -t agrees the stream is sound'
        ['gzip', '-t', archive.toString()].execute().waitFor() == 0
    }

    def "we extract what GNU tar writes, including symlinks and hard links"() {
        given:
        Repo.requireTool('tar')
        def src = tree('src')
        Files.createLink(src.resolve('hard.txt'), src.resolve('a.txt'))
        def archive = dir.resolve('gnu.tar.gz')
        assert ['tar', '-czf', archive.toString(), '-C', src.toString(), '.'].execute().waitFor() == 0
        def out = dir.resolve('out')

        when:
        def summary = new SafeExtractor(out, 'gnu.tar.gz', {}).extractTar(ExtractStep.decompressed(Files.newInputStream(archive), archive))

        then:
        summary.files() == 4
        summary.hardlinks() == 1
        summary.symlinks() == 1
        FileDigests.ofTree(out) == FileDigests.ofTree(src)
        Files.readSymbolicLink(out.resolve('link')) == Path.of('sub/b.txt')
        Files.isExecutable(out.resolve('run.sh'))
    }

    def "hostile archive entries are refused with the entry named"() {
        given:
        def archive = dir.resolve('evil.tar')
        archive.toFile().withOutputStream { os ->
            def tar = new TarArchiveOutputStream(os)
            entries.each { entry -> tar.putArchiveEntry(entry); if (entry.size) tar.write(new byte[entry.size]); tar.closeArchiveEntry() }
            tar.finish()
        }
        def out = dir.resolve('out')

        when:
        new SafeExtractor(out, 'evil.tar', {}).extractTar(Files.newInputStream(archive))

        then:
        def e = thrown(RecipeException)
        e.message == message
        !Files.exists(dir.resolve('escaped'))

        cleanup: 'a symlink to .. would confuse the temp-dir cleanup'
        Files.deleteIfExists(dir.resolve('out/up'))

        where:
        entries                                                          || message
        [file('../escaped')]                                             || "evil.tar: refusing entry '../escaped': path escapes the extraction root"
        [file('a/../../escaped')]                                        || "evil.tar: refusing entry 'a/../../escaped': path escapes the extraction root"
        [file('/etc/escaped')]                                           || "evil.tar: refusing entry '/etc/escaped': absolute path"
        [symlink('up', '..'), file('up/escaped')]                        || "evil.tar: refusing entry 'up/escaped': parent 'up' is a symlink"
        [hardlink('h', '../escaped')]                                    || "evil.tar: refusing entry 'h': link target '../escaped' path escapes the extraction root"
        [hardlink('h', 'missing.txt')]                                   || "evil.tar: refusing entry 'h': hard link to 'missing.txt', which is not a regular file extracted earlier"
    }

    def "device nodes are skipped and setuid bits dropped, each logged"() {
        given:
        def archive = dir.resolve('special.tar')
        archive.toFile().withOutputStream { os ->
            def tar = new TarArchiveOutputStream(os)
            def dev = new TarArchiveEntry('dev/sda', TarArchiveEntry.LF_BLK)
            tar.putArchiveEntry(dev); tar.closeArchiveEntry()
            def suid = file('bin/su', 4)
            suid.mode = 0104755
            tar.putArchiveEntry(suid); tar.write('root'.bytes); tar.closeArchiveEntry()
            tar.finish()
        }
        def logged = []

        when:
        def s = new SafeExtractor(dir.resolve('out'), 'special.tar', { logged << it }).extractTar(Files.newInputStream(archive))

        then:
        s.skippedSpecial() == 1
        s.strippedModeBits() == 1
        !Files.exists(dir.resolve('out/dev/sda'))
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve('out/bin/su'))) == 'rwxr-xr-x'
        logged == ['skipped special file dev/sda (device node or FIFO)', 'dropped setuid/setgid/sticky bits of bin/su']
    }

    def "sha256sum --check accepts our SHA256SUMS, and we parse what sha256sum writes"() {
        given:
        Repo.requireTool('sha256sum')
        def root = tree('sums')
        def ours = FileDigests.format(FileDigests.ofTree(root))
        Files.writeString(dir.resolve('SHA256SUMS'), ours)

        when:
        def check = ['sha256sum', '--check', '--strict', dir.resolve('SHA256SUMS').toString()].execute(null, root.toFile())
        def checkOut = check.text
        check.waitFor()
        def theirs = ['sh', '-c', 'find . -type f | sed s,^./,, | LC_ALL=C sort | xargs sha256sum'].execute(null, root.toFile()).text

        then:
        check.exitValue() == 0
        checkOut.readLines().size() == 4
        FileDigests.parse(theirs, 'sha256sum output') == FileDigests.ofTree(root)
    }

    def "a malformed SHA256SUMS line is reported with its line number"() {
        when:
        FileDigests.parse('0' * 64 + '  ok.txt\nnot a checksum line\n', 'SHA256SUMS')

        then:
        def e = thrown(RecipeException)
        e.message == 'SHA256SUMS:2: not a sha256sum line'
    }

    static TarArchiveEntry file(String name, int size = 1) {
        def e = new TarArchiveEntry(name, true)
        e.size = size
        e
    }

    static TarArchiveEntry symlink(String name, String target) {
        def e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true)
        e.linkName = target
        e
    }

    static TarArchiveEntry hardlink(String name, String target) {
        def e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true)
        e.linkName = target
        e
    }
}
