package dev.sealwright.files

import org.apache.commons.compress.archivers.tar.TarArchiveEntry
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path

class SafeExtractorSpec extends Specification {
    @TempDir Path tmp

    def "device nodes and FIFOs in a tar are skipped, not written as regular files"() {
        given:
        def bytes = new ByteArrayOutputStream()
        new TarArchiveOutputStream(bytes).withCloseable { tar ->
            def dev = new TarArchiveEntry('null', TarArchiveEntry.LF_CHR); dev.devMajor = 1; dev.devMinor = 3
            def fifo = new TarArchiveEntry('pipe', TarArchiveEntry.LF_FIFO)
            def file = new TarArchiveEntry('ok.txt'); file.size = 2
            [dev, fifo].each { tar.putArchiveEntry(it); tar.closeArchiveEntry() }
            tar.putArchiveEntry(file); tar.write('ok'.bytes); tar.closeArchiveEntry()
        }

        when:
        def s = new SafeExtractor(tmp.resolve('out'), 'special.tar', {}).extractTar(new ByteArrayInputStream(bytes.toByteArray()))

        then:
        s.skippedSpecial() == 2
        s.files() == 1
        !Files.exists(tmp.resolve('out/null'), LinkOption.NOFOLLOW_LINKS)
        !Files.exists(tmp.resolve('out/pipe'), LinkOption.NOFOLLOW_LINKS)
        Files.readString(tmp.resolve('out/ok.txt')) == 'ok'
    }
}
