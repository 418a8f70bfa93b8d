package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path

/** Files for a probe guest's initramfs, taken from this host. */
class GuestFiles {
    /** Copies {@code file} and every library ldd lists for it to the same paths under {@code root}. */
    static void copyWithLibraries(Path file, Path root) {
        def files = [file]
        def ldd = ['ldd', file.toString()].execute()
        ldd.waitFor()
        ldd.text.eachLine { line ->
            def m = line =~ /(\/\S+) \(0x/
            if (m.find()) files << Path.of(m.group(1))
        }
        files.each { Path f ->
            Path target = root.resolve(f.toString().substring(1))
            Files.createDirectories(target.parent)
            if (!Files.exists(target)) Files.copy(f.toRealPath(), target)
        }
    }
}
