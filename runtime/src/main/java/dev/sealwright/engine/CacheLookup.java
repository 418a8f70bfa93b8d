package dev.sealwright.engine;

import java.util.Optional;

/** Third link of the execution chain: a key's complete cache entry, unless {@code --fresh} asks to ignore the cache. */
final class CacheLookup {
    private final Cache cache;
    private final boolean fresh;

    CacheLookup(Cache cache, boolean fresh) {
        this.cache = cache;
        this.fresh = fresh;
    }

    Optional<Cache.Entry> find(StepKey key, StepType type) {
        return fresh ? Optional.empty() : cache.lookup(key.hash(), type);
    }
}
