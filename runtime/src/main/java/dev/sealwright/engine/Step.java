package dev.sealwright.engine;

import dev.sealwright.base.SourceLocation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One node of a pipeline: a named use of a step type with its option values. Immutable. */
public final class Step {
    private final String name;
    private final StepType type;
    private final Map<String, Object> options;
    private final SourceLocation location;

    public Step(String name, StepType type, Map<String, Object> options, SourceLocation location) {
        this.name = name;
        this.type = type;
        Map<String, Object> normalized = new LinkedHashMap<>();
        options.forEach((k, v) -> normalized.put(k, normalize(type.option(k), v)));
        this.options = Collections.unmodifiableMap(normalized);
        this.location = location == null ? SourceLocation.UNKNOWN : location;
    }

    /** Widens numbers to Long and text to String, element-wise for lists, so keys do not depend on Groovy's literal types. */
    private static Object normalize(OptionSpec spec, Object v) {
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(normalize(spec, o));
            return Collections.unmodifiableList(out);
        }
        if (v instanceof CharSequence cs && !(v instanceof String)) return cs.toString();
        if (spec != null && spec.type() == Long.class && (v instanceof Integer || v instanceof Short || v instanceof Byte)) return ((Number) v).longValue();
        return v;
    }

    public String name() {
        return name;
    }

    public StepType type() {
        return type;
    }

    public Map<String, Object> options() {
        return options;
    }

    public SourceLocation location() {
        return location;
    }

    /** Names of the steps whose outputs this step reads, in option order. */
    public Set<String> dependencies() {
        Set<String> deps = new LinkedHashSet<>();
        for (Object v : options.values()) collectRefs(v, deps);
        return deps;
    }

    private static void collectRefs(Object v, Set<String> into) {
        if (v instanceof OutputRef r) into.add(r.step());
        else if (v instanceof List<?> l) for (Object o : l) collectRefs(o, into);
        else if (v instanceof RecordOption r) for (Input i : r.inputs().values()) collectRefs(i, into);
    }

    /** Every {@link Input} among the option values, with the option it belongs to. */
    public List<Map.Entry<String, Input>> inputs() {
        List<Map.Entry<String, Input>> out = new ArrayList<>();
        options.forEach((k, v) -> {
            if (v instanceof Input i) {
                out.add(Map.entry(k, i));
            } else if (v instanceof List<?> l) {
                for (int n = 0; n < l.size(); n++)
                    if (l.get(n) instanceof Input i) out.add(Map.entry(k + "[" + n + "]", i));
            } else if (v instanceof RecordOption r) {
                r.inputs().forEach((f, i) -> out.add(Map.entry(k + "." + f, i)));
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return name + " (" + type.name() + ")";
    }
}
