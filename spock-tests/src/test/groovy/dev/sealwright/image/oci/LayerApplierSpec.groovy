package dev.sealwright.image.oci

import dev.sealwright.base.RecipeException
import org.apache.commons.compress.archivers.tar.TarArchiveEntry
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Crafted layers, hostile and ordinary, applied to an in-memory root: nothing may land outside it. */
class LayerApplierSpec extends Specification {
    @TempDir Path tmp
    List<String> log = []

    /** A layer tar from [name, kind, extra] triples; kind: file (extra = text), dir, symlink/hardlink (extra = target), chardev, fifo. */
    private static byte[] layer(List<List> entries) {
        def bytes = new ByteArrayOutputStream()
        new TarArchiveOutputStream(bytes).withCloseable { tar ->
            tar.longFileMode = TarArchiveOutputStream.LONGFILE_POSIX
            entries.each { e ->
                def (name, kind, extra, mode) = [e[0], e[1], e.size() > 2 ? e[2] : null, e.size() > 3 ? e[3] : null]
                TarArchiveEntry t
                switch (kind) {
                    case 'file': t = new TarArchiveEntry(name, true); t.size = extra.bytes.length; t.mode = 0100000 | (mode ?: 0644); break
                    case 'dir': t = new TarArchiveEntry(name + '/'); t.mode = 040000 | (mode ?: 0755); break
                    case 'symlink': t = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK); t.linkName = extra; break
                    case 'hardlink': t = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK); t.linkName = extra; break
                    case 'chardev': t = new TarArchiveEntry(name, TarArchiveEntry.LF_CHR); t.devMajor = 1; t.devMinor = 3; t.mode = 020666; break
                    case 'fifo': t = new TarArchiveEntry(name, TarArchiveEntry.LF_FIFO); break
                }
                tar.putArchiveEntry(t)
                if (kind == 'file') tar.write(extra.bytes)
                tar.closeArchiveEntry()
            }
        }
        bytes.toByteArray()
    }

    private FsTree apply(FsTree tree = new FsTree(), List<List> entries) {
        new LayerApplier(tree, tmp.resolve('blobs'), { log << it }).apply(new ByteArrayInputStream(layer(entries)), 'layer1')
        tree
    }

    def "hostile entry #why is refused, naming the layer and the entry"() {
        when:
        apply(entries)

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("layer1: refusing entry '${bad}'")
        e.message.contains(reason)
        !Files.exists(tmp.resolve('etc'))

        where:
        why                          | entries                                                                                      | bad               | reason
        'climbing out with ..'       | [['../../etc/passwd', 'file', 'x']]                                                          | '../../etc/passwd' | "'..'"
        'climbing inside with ..'    | [['a/../../x', 'file', 'x']]                                                                 | 'a/../../x'       | "'..'"
        'with an absolute name'      | [['/etc/passwd', 'file', 'x']]                                                               | '/etc/passwd'     | 'absolute'
        'below a symlinked parent'   | [['etc', 'symlink', '/etc'], ['etc/passwd', 'file', 'x']]                                    | 'etc/passwd'      | "parent 'etc' is a symlink"
        'below a relative symlink'   | [['up', 'symlink', '../..'], ['up/x', 'file', 'x']]                                          | 'up/x'            | "parent 'up' is a symlink"
        'hard link outside the root' | [['hl', 'hardlink', '../../etc/passwd']]                                                     | 'hl'              | "'..'"
        'hard link to a missing file'| [['hl', 'hardlink', 'etc/shadow']]                                                           | 'hl'              | 'not a regular file'
        'hard link to a symlink'     | [['s', 'symlink', '/etc/shadow'], ['hl', 'hardlink', 's']]                                   | 'hl'              | 'not a regular file'
    }

    def "device nodes and FIFOs are dropped and setuid/setgid bits cleared, each logged"() {
        when:
        def tree = apply([['dev/null', 'chardev'], ['run/pipe', 'fifo'], ['bin/su', 'file', 'x', 04755], ['bin/wall', 'file', 'y', 02755]])

        then:
        !tree.contains('dev/null')
        !tree.contains('run/pipe')
        tree.get('bin/su').mode() == 0755
        tree.get('bin/wall').mode() == 0755
        log.count { it.contains('dropped special file') } == 2
        log.count { it.contains('cleared setuid') } == 2
    }

    def "a hard link inside the root shares the earlier file's content; symlinks are kept, not followed"() {
        when:
        def tree = apply([['a/f', 'file', 'hello'], ['b/g', 'hardlink', 'a/f'], ['abs', 'symlink', '/etc/passwd']])

        then:
        Files.readString(tree.get('b/g').content()) == 'hello'
        tree.get('abs').linkTarget() == '/etc/passwd'
    }

    def "whiteouts delete, opaque directories empty, later layers replace earlier entries"() {
        given:
        def tree = apply([['keep/a', 'file', '1'], ['gone/b', 'file', '2'], ['opq/c', 'file', '3'], ['opq/sub/d', 'file', '4'], ['x', 'file', 'old'], ['opqx', 'file', 'sibling']])

        when:
        apply(tree, [['.wh.gone', 'file', ''], ['opq/.wh..wh..opq', 'file', ''], ['opq/new', 'file', '5'], ['x', 'file', 'new']])

        then:
        tree.entries().keySet() as List == ['keep', 'keep/a', 'opq', 'opq/new', 'opqx', 'x']
        Files.readString(tree.get('x').content()) == 'new'
    }
}
