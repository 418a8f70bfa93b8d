package dev.sealwright.dsl

import dev.sealwright.base.RecipeException

/**
 * The {@code measure} namespace of a pipeline. {@code measure.tdx { firmware file('OVMF.fd'); kernel ...;
 * profile 'ubuntu-24.04' }}: the cached measure.tdx step (expected.json); {@code measure.snp { ... }}:
 * the SEV-SNP launch digest. Option names match the {@code sealwright measure} flags.
 * {@code measure.tdx(vm) { profile 'ubuntu-24.04' }}, {@code measure.snp(vm)} and {@code measure.vtpm(vm)} take the VM
 * from a {@code vm { }} value, the one {@code launch(vm)} boots: the step's {@code vm} option is that typed value.
 * The closures are plain {@link StepSpec}s: every option comes from the step type's registry entry, as for any step.
 */
class MeasureSteps {
    private final PipelineSpec pipeline

    MeasureSteps(PipelineSpec pipeline) { this.pipeline = pipeline }

    StepHandle tdx(@DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.tdx', null, StepSpec, body) }
    StepHandle tdx(String name, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.tdx', name, StepSpec, body) }

    StepHandle tdx(VmValue vm, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { tdx(null, vm, body) }
    StepHandle tdx(String name, VmValue vm, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) {
        if (vm.options.tee == 'snp') throw new RecipeException("measure.tdx: the vm's tee is snp; use measure.snp", pipeline.locator.here('tdx'))
        pipeline.addStep('measure.tdx', name, StepSpec, body, vm)
    }

    StepHandle vtpm(@DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.vtpm', null, StepSpec, body) }
    StepHandle vtpm(String name, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.vtpm', name, StepSpec, body) }

    StepHandle snp(@DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.snp', null, StepSpec, body) }
    StepHandle snp(String name, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.snp', name, StepSpec, body) }

    /**
     * {@code measure.snp(vm) { mode 'snp' }}: the launch digest of the SNP guest {@code vm} describes, so the launch and the
     * prediction share one description (its firmware, vCPUs, CPU model and measured direct boot, kernel-hashes=on).
     */
    StepHandle snp(VmValue vm, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { snp(null, vm, body) }
    StepHandle snp(String name, VmValue vm, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) {
        Map<String, Object> o = vm.options
        if (o.tee != 'snp') throw new RecipeException("measure.snp: the vm's tee is ${o.tee ?: 'none'}; an SNP launch digest needs tee 'snp'", pipeline.locator.here('snp'))
        if (o.uki != null) throw new RecipeException("measure.snp: the vm boots a UKI from an ESP disk, which SNP does not measure; give it as kernel (measured direct boot)", pipeline.locator.here('snp'))
        pipeline.addStep('measure.snp', name, StepSpec, body, vm)
    }

    /** {@code measure.vtpm(vm) { secureBoot true }}: the vTPM PCRs of the VM {@code vm} describes (firmware, vars, uki or boot disk, memory, vCPUs). */
    StepHandle vtpm(VmValue vm, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { vtpm(null, vm, body) }
    StepHandle vtpm(String name, VmValue vm, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) {
        if (vm.options.vtpm != true) throw new RecipeException("measure.vtpm: the vm has no vTPM; give it vtpm true", pipeline.locator.here('vtpm'))
        pipeline.addStep('measure.vtpm', name, StepSpec, body, vm)
    }
}
