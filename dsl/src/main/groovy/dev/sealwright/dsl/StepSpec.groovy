package dev.sealwright.dsl

import dev.sealwright.engine.FileRef
import dev.sealwright.engine.Input
import dev.sealwright.engine.OptionSpec
import dev.sealwright.base.RecipeException
import dev.sealwright.base.Secret
import dev.sealwright.engine.StepType

import java.nio.file.Path
import java.util.regex.Pattern

/**
 * The closure delegate of every step: each {@link OptionSpec} of its type is a method
 * ({@code pcrs 'sha256:7'}) or property, handled by {@link #methodMissing} and funnelled into {@link #set},
 * which converts DSL values to engine values and runs the option's check, so a bad value is reported at
 * its recipe line when the recipe loads. A subclass exists only where a builder adds meaning (e.g.
 * {@link PackSpec#image(String)}); IDE completion comes from the GDSL/DSLD descriptors generated from the
 * registry ({@link DslDescriptors}). Anything else called inside the closure is an unknown option.
 */
class StepSpec {
    final StepType type
    final Map<String, Object> options = new LinkedHashMap<>()
    protected final PipelineSpec pipeline

    StepSpec(StepType type, PipelineSpec pipeline) {
        this.type = type
        this.pipeline = pipeline
    }

    /** Sets an option; a list option accepts several values or repeated calls. */
    void set(String name, Object... values) {
        OptionSpec spec = type.option(name)
        if (spec == null) throw unknown(name)
        def converted = values.collect { convert(name, it) }.flatten()
        if (spec.numberAsText()) {
            // memory 2048 is a size in MiB; memory 2G is Groovy's BigInteger literal 2 (its G is a type suffix), not 2 GiB
            Object suffixed = converted.find { it instanceof BigInteger || it instanceof BigDecimal }
            if (suffixed != null)
                throw new RecipeException("option '${name}' of ${type.name()}: ${name} ${suffixed}G/${suffixed}g is Groovy's number ${suffixed}, not a size: quote it, ${name} '${suffixed}G'", pipeline.locator.here(name))
            converted = converted.collect { it instanceof Number ? it.toString() : it }
        }
        for (Object v : converted) {
            String problem = spec.problem(v)
            if (problem != null) throw new RecipeException("option '${name}' of ${type.name()}: ${problem}", pipeline.locator.here(name))
        }
        if (spec.list()) {
            def list = (options[name] ?: []) as List
            list.addAll(converted)
            options[name] = list
        } else {
            if (converted.size() != 1)
                throw new RecipeException("option '${name}' of ${type.name()} takes one value, got ${converted.size()}", pipeline.locator.here(name))
            options[name] = converted[0]
        }
    }

    protected Object convert(String name, Object v) {
        switch (v) {
            case null: throw new RecipeException("option '${name}' of ${type.name()} got null", pipeline.locator.here(name))
            case StepHandle: return ((StepHandle) v).outputFor(name)
            case Pattern: return ((Pattern) v).pattern()
            case Input: return v
            case Secret: return v
            case File: return new FileRef(((File) v).toPath())
            case Path: return new FileRef((Path) v)
            case GString: return v.toString()
            case Collection: return ((Collection) v).collect { convert(name, it) }
            default: return v
        }
    }

    private RecipeException unknown(String name) {
        new RecipeException("unknown option '${name}' for step ${type.name()}${Suggestions.hint(name, type.options()*.name())} (known: ${type.options()*.name().join(', ')})", pipeline.locator.here(name))
    }

    def methodMissing(String name, Object args) {
        Object[] a = args as Object[]
        if (type.option(name) != null) {
            set(name, a)
            return null
        }
        if (pipeline.respondsTo(name, a) || pipeline.metaClass.respondsTo(pipeline, name) || pipeline.isStepWord(name)) return pipeline.invokeMethod(name, a)
        if (pipeline.script.respondsTo(name, a)) return pipeline.script.invokeMethod(name, a)
        throw unknown(name)
    }

    def propertyMissing(String name) {
        if (pipeline.hasProperty(name) || pipeline.hasLibrary(name)) return pipeline.getProperty(name)
        if (pipeline.script.binding.hasVariable(name)) return pipeline.script.binding.getVariable(name)
        throw new RecipeException("unknown name '${name}' in step ${type.name()}", pipeline.locator.here(name))
    }

    void propertyMissing(String name, Object value) {
        if (type.option(name) != null) set(name, value)
        else throw unknown(name)
    }
}
