package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.engine.OutputSpec
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.Step

/**
 * What a step call returns: {@code handle.outputName} is an {@link OutputRef} another step can take
 * as input; the engine derives the step graph from these references.
 */
class StepHandle {
    final Step step
    private final ScriptLocator locator

    StepHandle(Step step, ScriptLocator locator) {
        this.step = step
        this.locator = locator
    }

    String getName() { step.name() }

    def propertyMissing(String output) {
        OutputSpec spec = step.type().output(output)
        if (spec == null)
            throw new RecipeException("step ${step.name()} (${step.type().name()}) has no output '${output}' (outputs: ${step.type().outputs()*.name().join(', ')})",
                    locator.here(output))
        return new OutputRef(step.name(), output)
    }

    /**
     * What a handle stands for when given to {@code option}: its output of that name ({@code kernel k} with a
     * kernel step, {@code expected prediction} with a measure.tdx step), else its only output.
     */
    OutputRef outputFor(String option) {
        step.type().output(option) != null ? new OutputRef(step.name(), option) : soleOutput()
    }

    /** The only output, when a step has exactly one: lets a handle stand for it. */
    OutputRef soleOutput() {
        def outs = step.type().outputs()
        if (outs.size() != 1)
            throw new RecipeException("step ${step.name()} has ${outs.size()} outputs; pick one: ${outs*.name().collect { "${step.name()}.${it}" }.join(', ')}",
                    locator.here())
        return new OutputRef(step.name(), outs[0].name())
    }

    @Override
    String toString() { "step ${step.name()} (${step.type().name()})" }
}
