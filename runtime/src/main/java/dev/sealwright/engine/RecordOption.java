package dev.sealwright.engine;

import java.util.Map;

/**
 * An option value that is one typed record with files inside it (e.g. the VM description of {@code vm { }}):
 * it reaches the step as that record, not as loose options the step re-parses. The engine sees its files as
 * inputs (graph edges, cache-key digests, plan records) and keys the rest by {@link #shape()}.
 * <p>
 * An implementation has {@code public static T decode(String shape, Map<String, Input> inputs)}, the inverse of
 * {@link #shape()} (as JSON) and {@link #inputs()}: the configuration cache ({@link PipelineCodec}) stores a record
 * option as its class, shape and inputs and builds it again through it.
 */
public interface RecordOption {
    /** The record's files by field name ({@code firmware}, {@code disk[0]}), in a stable order. */
    Map<String, Input> inputs();

    /** Everything else of the record, as canonical-JSON-able values: its part of the cache key. */
    Object shape();
}
