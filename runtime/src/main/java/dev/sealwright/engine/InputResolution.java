package dev.sealwright.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * First link of the execution chain: what a step's inputs are. A file input is its content digest
 * (remembered by size, mtime, ctime and inode in {@link ContentDigests}, so an unchanged file is not
 * re-read); an upstream output is the digest that step recorded.
 */
final class InputResolution {
    private final ContentDigests digests;

    InputResolution(ContentDigests digests) {
        this.digests = digests;
    }

    /** Digest of an upstream output, or null when that step has not produced it. */
    String upstream(Map<String, Outputs> done, OutputRef ref) {
        Outputs o = done.get(ref.step());
        return o == null ? null : o.digest(ref.output());
    }

    /** Each input's source and, where known, digest: what a step record shows. {@code done} null: no digests. */
    Map<String, Map<String, String>> describe(Step s, Map<String, Outputs> done) {
        Map<String, Map<String, String>> in = new LinkedHashMap<>();
        for (var e : s.inputs()) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("source", e.getValue().describe());
            if (e.getValue() instanceof OutputRef r && done != null) {
                String dg = upstream(done, r);
                if (dg != null) d.put("digest", dg);
            } else if (e.getValue() instanceof FileRef f && done != null) {
                d.put("digest", digests.of(f.path()));
            }
            in.put(e.getKey(), d);
        }
        return in;
    }
}
