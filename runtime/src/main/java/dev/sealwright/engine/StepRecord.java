package dev.sealwright.engine;

import java.nio.file.Path;
import java.util.Map;

/**
 * What happened to one step in a run; the run report is a list of these.
 *
 * @param inputs  option → source description and content digest
 * @param outputs output name → path where it was published, digest and size
 * @param values  VALUE outputs
 * @param tools   external program → version, for every program the step ran
 */
public record StepRecord(String name, String type, StepKind kind, StepStatus status, String key,
                         long startedEpochMs, long durationMs,
                         Map<String, Map<String, String>> inputs,
                         Map<String, OutputFile> outputs,
                         Map<String, Object> values,
                         Map<String, String> tools,
                         String error, Throwable failure) {

    /** One published output: where, its content digest, its size in bytes (a directory's is the sum). */
    public record OutputFile(Path path, String digest, long size) {}

    public OutputFile output(String name) {
        return outputs.get(name);
    }
}
