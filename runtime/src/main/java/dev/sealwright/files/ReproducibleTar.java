package dev.sealwright.files;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a directory tree as a gzip'd POSIX tar whose bytes depend only on the tree's content:
 * entries sorted by path, owner 0:0 without names, mtime = SOURCE_DATE_EPOCH, modes normalised to
 * 0644/0755, gzip header without name or time.
 */
public final class ReproducibleTar {
    private ReproducibleTar() {}

    public static void writeTarGz(Path dir, long sourceDateEpoch, OutputStream out) throws IOException {
        GzipParameters gz = new GzipParameters();
        gz.setModificationTime(0);
        gz.setOperatingSystem(3); // Unix, as gzip -n writes
        gz.setCompressionLevel(9);
        try (GzipCompressorOutputStream gzOut = new GzipCompressorOutputStream(nonClosing(out), gz);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gzOut)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : sortedEntries(dir)) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                TarArchiveEntry e;
                boolean regular = false;
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                    e.setMode(0120777);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name + "/");
                    e.setMode(040755);
                } else {
                    e = new TarArchiveEntry(name);
                    regular = true;
                    e.setSize(Files.size(p));
                    e.setMode(Files.isExecutable(p) ? 0100755 : 0100644);
                }
                e.setUserId(0);
                e.setGroupId(0);
                e.setUserName("");
                e.setGroupName("");
                e.setModTime(sourceDateEpoch * 1000L);
                tar.putArchiveEntry(e);
                if (regular) Files.copy(p, tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    static List<Path> sortedEntries(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> !p.equals(dir)).forEach(all::add);
        }
        all.sort((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()));
        return all;
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void close() throws IOException { flush(); }
        };
    }
}
