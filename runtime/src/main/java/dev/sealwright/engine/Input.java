package dev.sealwright.engine;

/** A value that names bytes on disk: a user file or directory, or an output of another step. */
public sealed interface Input permits FileRef, OutputRef {
    /** Short human form for plans and errors. */
    String describe();
}
