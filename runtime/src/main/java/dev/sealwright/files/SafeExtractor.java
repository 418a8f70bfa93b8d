package dev.sealwright.files;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Extracts tar archives into a directory without letting an entry write outside it: names that are
 * absolute or climb out with {@code ..} are refused, nothing is written through a symlinked parent,
 * hard links must point at a regular file already extracted inside the root. Device nodes and
 * FIFOs are skipped (they need root and have no place in extracted trees); setuid/setgid/sticky
 * bits are dropped. Every refusal names the archive and the entry.
 */
public final class SafeExtractor {
    /** Counts of what was extracted and what was deliberately left out. */
    public record Summary(int files, int directories, int symlinks, int hardlinks, int skippedSpecial, int strippedModeBits) {}

    private final Path root;
    private final String archiveName;
    private final Consumer<String> log;
    private int files, dirs, symlinks, hardlinks, skipped, stripped;

    public SafeExtractor(Path root, String archiveName, Consumer<String> log) {
        this.root = root.toAbsolutePath().normalize();
        this.archiveName = archiveName;
        this.log = log;
    }

    /** Extracts a tar stream (already decompressed). */
    public Summary extractTar(InputStream tarStream) throws IOException {
        Files.createDirectories(root);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(tarStream))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    skipped++;
                    log.accept("skipped special file " + e.getName() + " (device node or FIFO)");
                    continue;
                }
                Path target = resolve(e.getName(), e.getName());
                if (target.equals(root)) continue;
                ensureParents(target, e.getName());
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        deleteIfPresent(target);
                        Files.createDirectory(target);
                    }
                    setMode(target, e.getMode(), e.getName());
                    dirs++;
                } else if (e.isSymbolicLink()) {
                    deleteIfPresent(target);
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    symlinks++;
                } else if (e.isLink()) {
                    Path source = resolve(e.getName(), e.getLinkName());
                    ensureParents(source, e.getLinkName());
                    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS))
                        throw refuse(e.getName(), "hard link to '" + e.getLinkName() + "', which is not a regular file extracted earlier");
                    deleteIfPresent(target);
                    Files.createLink(target, source);
                    hardlinks++;
                } else if (e.isFile()) {
                    deleteIfPresent(target);
                    Path tmp = target.resolveSibling(".extract-" + target.getFileName());
                    Files.copy(tar, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    setMode(target, e.getMode(), e.getName());
                    files++;
                } else {
                    skipped++;
                    log.accept("skipped entry " + e.getName() + " of unsupported type '" + (char) e.getLinkFlag() + "'");
                }
            }
        }
        return new Summary(files, dirs, symlinks, hardlinks, skipped, stripped);
    }

    /** A name in entry {@code entry} (its own name or its link target) → path inside the root; refuses absolute names and names that climb out. */
    Path resolve(String entry, String name) {
        String n = name;
        String what = entry.equals(name) ? "" : "link target '" + name + "' ";
        while (n.startsWith("./")) n = n.substring(2);
        if (n.startsWith("/")) throw refuse(entry, what + "absolute path");
        if (n.isEmpty() || n.equals(".")) return root;
        Path p = root.resolve(n).normalize();
        if (!p.startsWith(root)) throw refuse(entry, what + "path escapes the extraction root");
        return p;
    }

    /** Every existing ancestor between root and target must be a real directory, not a symlink. */
    private void ensureParents(Path target, String name) throws IOException {
        Path rel = root.relativize(target);
        Path cur = root;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            cur = cur.resolve(rel.getName(i));
            if (Files.isSymbolicLink(cur)) throw refuse(name, "parent '" + root.relativize(cur) + "' is a symlink");
            if (!Files.exists(cur, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(cur);
            else if (!Files.isDirectory(cur, LinkOption.NOFOLLOW_LINKS)) throw refuse(name, "parent '" + root.relativize(cur) + "' is not a directory");
        }
    }

    private void deleteIfPresent(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) AtomicFiles.deleteTree(p);
        else Files.deleteIfExists(p);
    }

    private void setMode(Path p, int mode, String name) throws IOException {
        if ((mode & 07000) != 0) {
            stripped++;
            log.accept("dropped setuid/setgid/sticky bits of " + name);
        }
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < 9; bit++) if ((mode & (1 << bit)) != 0) perms.add(order[bit]);
        perms.add(PosixFilePermission.OWNER_READ);
        perms.add(PosixFilePermission.OWNER_WRITE);
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) perms.add(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(p, perms);
    }

    private RecipeException refuse(String entry, String why) {
        return new RecipeException(archiveName + ": refusing entry '" + entry + "': " + why);
    }
}
