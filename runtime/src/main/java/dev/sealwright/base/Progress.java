package dev.sealwright.base;

/** Bytes done of a long operation, reported from any thread (the caller's reporter must be thread-safe). */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> { };

    void update(long done, long total);
}
