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
    private static Map<String, Class<? extends StepSpec>> specs

    /** DSL word → step type, sorted by word. */
    static synchronized Map<String, StepType> all() {
        if (words == null) probe()
        words
    }

    /** DSL word → the class its block delegates to (e.g. pack → PackSpec, with its own words such as enroll and sign). */
    static synchronized Map<String, Class<? extends StepSpec>> specs() {
        if (specs == null) probe()
        specs
    }

    /**
     * The words a block delegating to {@code spec} understands besides the step's options: its public
     * methods (e.g. PackSpec's {@code enroll}, {@code sign}), without Groovy's and StepSpec's plumbing.
     */
    static SortedSet<String> blockWords(Class<?> spec) {
        SortedSet<String> out = new TreeSet<>()
        for (Class<?> c = spec; c != null && c != StepSpec && c != Object; c = c.superclass) {
            for (Method m : c.declaredMethods) {
                String n = m.name
                if (!java.lang.reflect.Modifier.isPublic(m.modifiers) || java.lang.reflect.Modifier.isStatic(m.modifiers) || m.synthetic || n.contains('$')
                        || n in PLUMBING || n ==~ /(get|set|is)[A-Z].*/) continue
                out << n
            }
        }
        out
    }

    /** The class a block {@code word { }} inside a block delegating to {@code spec} delegates to (its @DelegatesTo), or null. */
    static Class<?> nestedBlock(Class<?> spec, String word) {
        for (Class<?> c = spec; c != null && c != Object; c = c.superclass) {
            for (Method m : c.declaredMethods) {
                if (m.name != word || !java.lang.reflect.Modifier.isPublic(m.modifiers)) continue
                for (int i = 0; i < m.parameterTypes.length; i++) {
                    def d = m.parameterAnnotations[i].find { it instanceof DelegatesTo } as DelegatesTo
                    if (m.parameterTypes[i] == Closure && d != null && d.value() != DelegatesTo.Target) return d.value()
                }
            }
        }
        null
    }

    private static final Set<String> PLUMBING = ['methodMissing', 'propertyMissing', 'invokeMethod', 'set', 'add', 'equals', 'hashCode', 'toString'] as Set

    private static void probe() {
        Path recipe = Path.of('probe.groovy')
        def pipeline = new PipelineSpec('probe', null, recipe, new ScriptLocator(recipe, new SourceIndex('')), [:])
        Map<String, StepType> found = new TreeMap<>()
        Map<String, Class<? extends StepSpec>> classes = new TreeMap<>()
        probe(pipeline, '', found, classes)
        probe(pipeline.measure, 'measure.', found, classes)
        words = Collections.unmodifiableMap(found)
        specs = Collections.unmodifiableMap(classes)
    }

    private static void probe(Object builders, String prefix, Map<String, StepType> found, Map<String, Class<? extends StepSpec>> classes) {
        for (Method m : builders.class.declaredMethods) {
            if (m.returnType != StepHandle || !java.lang.reflect.Modifier.isPublic(m.modifiers)) continue
            Closure body = { -> throw new Reached((StepSpec) delegate) }
            List<Class> params = m.parameterTypes as List
            Object[] args = params == [Closure] ? [body] : params == [String, Closure] ? ['probe', body] : null
            if (args == null) continue
            try {
                m.invoke(builders, args)
            } catch (InvocationTargetException e) {
                // a method that did not reach a step spec with these arguments (step(type, ...)) builds no fixed type
                if (e.cause instanceof Reached) {
                    found[prefix + m.name] = ((Reached) e.cause).spec.type
                    classes[prefix + m.name] = ((Reached) e.cause).spec.getClass()
                }
            }
        }
    }

    /** Thrown by the probe body: the builder reached its step spec. */
    private static class Reached extends RuntimeException {
        final StepSpec spec

        Reached(StepSpec spec) {
            super(null, null, false, false)
            this.spec = spec
        }
    }
}
