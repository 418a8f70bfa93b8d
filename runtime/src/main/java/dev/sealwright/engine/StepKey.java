package dev.sealwright.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cache key of a step: SHA-256 over named components (type and implementation version, every
 * option value, the content digest of every input, versions of the external tools it runs, and for
 * secrets a MAC keyed by the workspace's own random salt, never the value). The components are kept
 * so {@code plan} can say which one changed since the last run.
 *
 * @param components name → value that entered the hash, e.g. "input archive" → "sha256:…"
 * @param display    name → what to show the user for that component (paths next to digests, secrets as "(secret)")
 */
public record StepKey(String hash, Map<String, String> components, Map<String, String> display) {

    public static StepKey of(Map<String, String> components, Map<String, String> display) {
        MessageDigest md = ContentDigests.sha256();
        components.forEach((k, v) -> {
            md.update(k.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(v.getBytes(StandardCharsets.UTF_8));
            md.update((byte) '\n');
        });
        return new StepKey(HexFormat.of().formatHex(md.digest()),
                Collections.unmodifiableMap(new LinkedHashMap<>(components)),
                Collections.unmodifiableMap(new LinkedHashMap<>(display)));
    }

    public String shortHash() {
        return hash.substring(0, 12);
    }
}
