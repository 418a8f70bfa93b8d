package dev.sealwright.dsl

import dev.sealwright.engine.StepType

import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Method
import java.nio.file.Path

/**
 * The words a recipe writes inside a pipeline to declare each step type ({@code archive}, {@code tpmSeal},
 * {@code measure.tdx}, {@code vault}, ...), read from the DSL itself: every step builder is called once on a
 * throwaway pipeline with a body that stops at the step spec the builder hands it, so this table cannot
 * drift from the builders. The REPL completes these words and the options and outputs of their types.
 */
class StepWords {
    private static Map<String, StepType> words

    /** DSL word → step type, sorted by word. */
    static synchronized Map<String, StepType> all() {
        if (words == null) words = Collections.unmodifiableMap(probe())
        words
    }

    private static Map<String, StepType> probe() {
        Path recipe = Path.of('probe.groovy')
        def pipeline = new PipelineSpec('probe', null, recipe, new ScriptLocator(recipe, new SourceIndex('')), [:])
        Map<String, StepType> found = new TreeMap<>()
        probe(pipeline, '', found)
        probe(pipeline.measure, 'measure.', found)
        found
    }

    private static void probe(Object builders, String prefix, Map<String, StepType> found) {
        for (Method m : builders.class.declaredMethods) {
            if (m.returnType != StepHandle || !java.lang.reflect.Modifier.isPublic(m.modifiers)) continue
            Closure body = { -> throw new Reached(((StepSpec) delegate).type) }
            List<Class> params = m.parameterTypes as List
            Object[] args = params == [Closure] ? [body] : params == [String, Closure] ? ['probe', body] : null
            if (args == null) continue
            try {
                m.invoke(builders, args)
            } catch (InvocationTargetException e) {
                // a method that did not reach a step spec with these arguments (step(type, ...)) builds no fixed type
                if (e.cause instanceof Reached) found[prefix + m.name] = ((Reached) e.cause).type
            }
        }
    }

    /** Thrown by the probe body: the builder reached its step spec. */
    private static class Reached extends RuntimeException {
        final StepType type

        Reached(StepType type) {
            super(null, null, false, false)
            this.type = type
        }
    }
}
