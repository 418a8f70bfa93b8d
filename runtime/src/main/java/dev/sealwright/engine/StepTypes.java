package dev.sealwright.engine;

import dev.sealwright.base.RecipeException;
import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * All step types on the class path, found through {@code META-INF/services/StepType}
 * (capabilities and recipe libraries add theirs the same way), plus any registered at run time.
 */
public final class StepTypes {
    private static final Map<String, StepType> TYPES = new TreeMap<>();

    static {
        for (StepType t : ServiceLoader.load(StepType.class, StepTypes.class.getClassLoader())) TYPES.put(t.name(), t);
    }

    private StepTypes() {}

    public static synchronized StepType get(String name) {
        StepType t = TYPES.get(name);
        if (t == null) throw new RecipeException("unknown step type '" + name + "' (known: " + String.join(", ", TYPES.keySet()) + ")");
        return t;
    }

    public static synchronized boolean has(String name) {
        return TYPES.containsKey(name);
    }

    /** Adds a step type (tests, embedders); replaces one of the same name. */
    public static synchronized void register(StepType type) {
        TYPES.put(type.name(), type);
    }

    public static synchronized Collection<StepType> all() {
        return java.util.List.copyOf(TYPES.values());
    }
}
