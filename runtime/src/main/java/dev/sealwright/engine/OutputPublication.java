package dev.sealwright.engine;

import dev.sealwright.base.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Last link of the execution chain: outputs become visible as {@code out/<step>/<file>} (see
 * {@link Publisher}) and the step's record is made, with any failure message masked of secrets.
 */
final class OutputPublication {
    private final Path outputDir;
    private final SecretMasker masker;

    OutputPublication(Path outputDir, SecretMasker masker) {
        this.outputDir = outputDir;
        this.masker = masker;
    }

    Outputs fromEntry(Step s, Cache.Entry e) throws IOException {
        return publish(s, e::outputPath, e.outputs(), e.values());
    }

    Outputs fromTemp(Step s, TempDirExecution.Result r) throws IOException {
        return publish(s, r::outputPath, r.described(), r.values());
    }

    private Outputs publish(Step s, Function<String, Path> source, Map<String, Map<String, Object>> described,
                            Map<String, Object> values) throws IOException {
        Map<String, Path> paths = new LinkedHashMap<>();
        Map<String, String> dig = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (var e : described.entrySet()) {
            Path src = source.apply(e.getKey());
            OutputSpec spec = s.type().output(e.getKey());
            if (spec != null && spec.isSecret()) masker.register(Secret.ofFile(src)); // masked from here on, cached or not
            Publisher.publish(src, outputDir.resolve(s.name()).resolve(String.valueOf(e.getValue().get("path"))));
            paths.put(e.getKey(), src);
            dig.put(e.getKey(), String.valueOf(e.getValue().get("digest")));
            sizes.put(e.getKey(), ((Number) e.getValue().get("size")).longValue());
        }
        return new Outputs(paths, dig, sizes, values == null ? Map.of() : values);
    }

    /** The record of a step that produced {@code o} (null: none) or did not run because of {@code error}. */
    StepRecord record(Step s, StepStatus status, StepKey key, long t0, Map<String, Map<String, String>> inputs, Outputs o,
                      Map<String, String> toolsUsed, String error, Throwable failure) {
        Map<String, StepRecord.OutputFile> files = new LinkedHashMap<>();
        if (o != null) for (var e : o.digests().entrySet()) {
            String file = String.valueOf(s.type().output(e.getKey()).fileName());
            files.put(e.getKey(), new StepRecord.OutputFile(outputDir.resolve(s.name()).resolve(file), e.getValue(), o.sizes().get(e.getKey())));
        }
        return new StepRecord(s.name(), s.type().name(), s.type().kind(), status, key == null ? null : key.hash(), t0,
                System.currentTimeMillis() - t0, inputs, files, o == null ? Map.of() : o.values(), toolsUsed,
                error, failure);
    }

    /** The record of a failed step: its message is one line, masked of every registered secret. */
    StepRecord failed(Step s, StepKey key, long t0, Map<String, Map<String, String>> inputs, Map<String, String> toolsUsed,
                      Throwable e, boolean cancelled) {
        return record(s, StepStatus.FAILED, key, t0, inputs, null, toolsUsed, cancelled ? "cancelled" : masker.mask(Engine.message(e)), e);
    }
}
