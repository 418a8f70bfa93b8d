package dev.sealwright.dsl

import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes

/**
 * The words a recipe writes inside a pipeline to declare each step type, read from the registry: each type's
 * {@link StepType#dslName()} ({@code archive}, {@code tpmSeal}, {@code vault}, ...), and {@code measure.x} for
 * the {@code measure.x} types (the {@link MeasureSteps} namespace). {@link PipelineSpec} dispatches these words,
 * the REPL completes them, and {@link DslDescriptors} writes them into the IDE descriptors. Read afresh each
 * time (a pipeline reads them once per evaluation), so a type registered at run time ({@code StepTypes.register}) is a word
 * in the next recipe evaluated.
 */
class StepWords {
    static final String MEASURE = 'measure.'

    /** DSL word → step type, sorted by word. */
    static Map<String, StepType> all() {
        Map<String, StepType> found = new TreeMap<>()
        for (StepType t : StepTypes.all()) {
            found.putIfAbsent(t.dslName(), t)
            if (t.name().startsWith(MEASURE)) found.putIfAbsent(t.name(), t)
        }
        Collections.unmodifiableMap(found)
    }
}
