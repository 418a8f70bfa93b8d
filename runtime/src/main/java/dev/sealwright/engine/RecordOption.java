package dev.sealwright.engine;

import java.util.Map;

/**
 * An option value that is one typed record with files inside it (e.g. the VM description of {@code vm { }}):
 * it reaches the step as that record, not as loose options the step re-parses. The engine sees its files as
 * inputs (graph edges, cache-key digests, plan records) and keys the rest by {@link #shape()}.
 * <p>
 * A step declares such an option with {@link OptionSpec#record}, giving its {@link Decoder}, the inverse of
 * {@link #shape()} (as JSON) and {@link #inputs()}: the configuration cache ({@link PipelineCodec}) stores a record
 * option as its class, shape and inputs and builds it again through the decoder of the option that declares it.
 */
public interface RecordOption {
    /** Builds a record option again from its {@link #shape()} as JSON and its {@link #inputs()}. */
    @FunctionalInterface
    interface Decoder<T extends RecordOption> {
        T decode(String shape, Map<String, Input> inputs);
    }

    /** The record's files by field name ({@code firmware}, {@code disk[0]}), in a stable order. */
    Map<String, Input> inputs();

    /** Everything else of the record, as canonical-JSON-able values: its part of the cache key. */
    Object shape();
}
