package dev.sealwright.engine;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The {@code .sealwright/} directory of a working directory: cache entries, last-run state, the
 * stat cache of input digests, the secret salt and scratch space. One run at a time holds its lock.
 */
public final class Workspace implements AutoCloseable {
    private final Path root;
    private final Path dir;
    private FileChannel lockChannel;
    private FileLock lock;

    public Workspace(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.dir = this.root.resolve(".sealwright");
    }

    public Path root() { return root; }
    public Path dir() { return dir; }
    public Path cacheDir() { return dir.resolve("cache"); }
    public Path stateDir() { return dir.resolve("state"); }
    public Path tmpDir() { return dir.resolve("tmp"); }
    public Path statCache() { return dir.resolve("digests.tsv"); }

    /** Takes the workspace lock and clears scratch space a killed run may have left behind. */
    public Workspace open() {
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new RecipeException("another sealwright run is using " + dir + "; wait for it or stop it");
            }
            AtomicFiles.deleteTree(tmpDir());
            Files.createDirectories(tmpDir());
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 32 random bytes created once per workspace (0600); keys the MAC that stands in for secrets in cache keys. */
    public byte[] secretSalt() {
        Path salt = dir.resolve("secret-salt");
        try {
            if (!Files.exists(salt)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                try {
                    AtomicFiles.writeSecret(salt, fresh, false);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another writer won; use theirs
                }
            }
            return Files.readAllBytes(salt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path newTempDir(String prefix) {
        try {
            Files.createDirectories(tmpDir());
            return Files.createTempDirectory(tmpDir(), prefix + "-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) lock.release();
            if (lockChannel != null) lockChannel.close();
        } catch (IOException ignored) {
            // releasing on exit; the OS drops the lock anyway
        }
    }
}
