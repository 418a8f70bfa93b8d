package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/**
 * The delegate {@link MeasureSteps} declares for {@code measure.snp { ovmf file('OVMF.fd'); vcpus 4; vcpuType 'EPYC-v4' }}.
 * Its options come from the registry like every step's, and their values (mode, vcpuType, vmmType, hostKernel)
 * are checked by the step type's option checks when the recipe loads.
 */
class MeasureSnpSpec extends StepSpec {
    MeasureSnpSpec(StepType type, PipelineSpec p) { super(type, p) }
}
