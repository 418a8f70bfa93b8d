package dev.sealwright.dsl

import dev.sealwright.base.RecipeException

/**
 * Recipe parameters: defaults declared in {@code params { name = value }}, overridden with
 * {@code -p name=value} (converted to the default's type). Reading an undeclared one is an error.
 */
class Params {
    private final Map<String, Object> values = [:]
    private final Map<String, String> overrides
    private final ScriptLocator locator

    Params(Map<String, String> overrides, ScriptLocator locator) {
        this.overrides = new LinkedHashMap<>(overrides)
        this.locator = locator
    }

    void declare(String name, Object defaultValue) {
        values[name] = overrides.containsKey(name) ? convert(name, overrides[name], defaultValue) : defaultValue
    }

    private Object convert(String name, String text, Object like) {
        try {
            switch (like) {
                case Integer: return Integer.valueOf(text)
                case Long: return Long.valueOf(text)
                case BigDecimal: return new BigDecimal(text)
                case Boolean:
                    if (text in ['true', 'false']) return Boolean.valueOf(text)
                    throw new NumberFormatException()
                default: return text
            }
        } catch (NumberFormatException ignored) {
            throw new ParameterOverrideException("-p ${name}=${text}: expected ${like.getClass().simpleName.toLowerCase()} like the default (${like})")
        }
    }

    def propertyMissing(String name) {
        if (!values.containsKey(name))
            throw new RecipeException("parameter '${name}' is not declared in params { }${Suggestions.hint(name, values.keySet())} (declared: ${values.keySet().join(', ') ?: 'none'})", locator.here(name))
        return values[name]
    }

    void propertyMissing(String name, Object value) {
        throw new RecipeException("params are read-only here; declare defaults in params { ${name} = ... } and override with -p ${name}=...", locator.here(name))
    }

    Map<String, Object> asMap() { Collections.unmodifiableMap(values) }

    /** Overrides naming no declared parameter: reported after the recipe is evaluated. */
    void checkOverrides() {
        def unknown = overrides.keySet() - values.keySet()
        if (unknown)
            throw new ParameterOverrideException("unknown parameter${unknown.size() > 1 ? 's' : ''} ${unknown.join(', ')} given with -p${unknown.size() == 1 ? Suggestions.hint(unknown[0], values.keySet()) : ''} (declared: ${values.keySet().join(', ') ?: 'none'})")
    }
}

/** Delegate of {@code params { }}: each assignment declares a parameter with its default. */
class ParamsSpec {
    private final Params params

    ParamsSpec(Params params) { this.params = params }

    void propertyMissing(String name, Object value) {
        params.declare(name, value instanceof GString ? value.toString() : value)
    }

    def propertyMissing(String name) {
        params.propertyMissing(name)
    }
}
