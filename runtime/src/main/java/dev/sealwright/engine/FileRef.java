package dev.sealwright.engine;

import java.nio.file.Path;

/** A file or directory given by the user. Its content digest, not its path or mtime, enters cache keys. */
public record FileRef(Path path) implements Input {
    public FileRef {
        path = path.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return path.toString();
    }
}
