package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType

/** {@code kbsVerdict('verdict') { audit broker.audit; resource 'luks-root'; after boot }}: grants and refusals as run-report values. */
class KbsVerdictSpec extends StepSpec {
    KbsVerdictSpec(StepType type, PipelineSpec p) { super(type, p) }

    /** Steps to wait for: a step handle stands for its first file output. */
    void after(Object... steps) {
        set('after', steps.collect { s ->
            if (!(s instanceof StepHandle)) return s
            def h = (StepHandle) s
            def out = h.step.type().outputs().find { it.isPath() }
            if (out == null) throw new RecipeException("after: step ${h.step.name()} has no file output to depend on", pipeline.locator.here('after'))
            new OutputRef(h.step.name(), out.name())
        } as Object[])
    }
}
