package dev.sealwright.dsl

import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes

import java.lang.reflect.Method
import java.lang.reflect.Modifier

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

    /** DSL word → the class its block delegates to (e.g. pack → PackSpec, with its own words such as enroll and sign). */
    static Map<String, Class<? extends StepSpec>> specs() {
        Map<String, Class<? extends StepSpec>> out = new TreeMap<>()
        all().each { String word, StepType t -> out[word] = PipelineSpec.builderOf(t.name()) }
        Collections.unmodifiableMap(out)
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
                if (!Modifier.isPublic(m.modifiers) || Modifier.isStatic(m.modifiers) || m.synthetic || n.contains('$')
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
                if (m.name != word || !Modifier.isPublic(m.modifiers)) continue
                for (int i = 0; i < m.parameterTypes.length; i++) {
                    def d = m.parameterAnnotations[i].find { it instanceof DelegatesTo } as DelegatesTo
                    if (m.parameterTypes[i] == Closure && d != null && d.value() != DelegatesTo.Target) return d.value()
                }
            }
        }
        null
    }

    private static final Set<String> PLUMBING = ['methodMissing', 'propertyMissing', 'invokeMethod', 'set', 'add', 'equals', 'hashCode', 'toString'] as Set
}
