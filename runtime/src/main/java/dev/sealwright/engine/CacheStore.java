package dev.sealwright.engine;

import dev.sealwright.Sealwright;

import java.util.LinkedHashMap;
import java.util.Map;

/** Fifth link of the execution chain: a finished temp dir becomes the cache entry of its key, with what made it. */
final class CacheStore {
    private final Cache cache;

    CacheStore(Cache cache) {
        this.cache = cache;
    }

    Cache.Entry store(Step s, StepKey key, TempDirExecution.Result done, Map<String, String> toolsUsed) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("step", s.name());
        about.put("type", s.type().name() + "@" + s.type().version());
        about.put("sealwright", Sealwright.version());
        about.put("tools", toolsUsed);
        return cache.store(key.hash(), done.dir(), done.described(), done.values(), about);
    }
}
