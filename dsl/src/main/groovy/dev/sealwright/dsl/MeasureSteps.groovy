package dev.sealwright.dsl

import dev.sealwright.engine.RecipeException
import dev.sealwright.engine.StepType

/**
 * The {@code measure} namespace of a pipeline. {@code measure.tdx { firmware file('OVMF.fd'); kernel ...;
 * profile 'ubuntu-24.04' }}: the cached measure.tdx step (expected.json); {@code measure.snp { ... }}:
 * the SEV-SNP launch digest. Option names match the {@code sealwright measure} flags.
 * {@code measure.tdx(vm) { profile 'ubuntu-24.04' }} takes the VM from a {@code vm { }} value, the one
 * {@code launch(vm)} boots (firmware, vars, kernel, initrd, cmdline, uki, cpus, memory).
 */
class MeasureSteps {
    private final PipelineSpec pipeline

    MeasureSteps(PipelineSpec pipeline) { this.pipeline = pipeline }

    StepHandle tdx(@DelegatesTo(value = MeasureTdxSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.tdx', null, MeasureTdxSpec, body) }
    StepHandle tdx(String name, @DelegatesTo(value = MeasureTdxSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.tdx', name, MeasureTdxSpec, body) }

    StepHandle tdx(VmValue vm, @DelegatesTo(value = MeasureTdxSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { tdx(null, vm, body) }
    StepHandle tdx(String name, VmValue vm, @DelegatesTo(value = MeasureTdxSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) {
        if (vm.options.tee == 'snp') throw new RecipeException("measure.tdx: the vm's tee is snp; use measure.snp", pipeline.locator.here('tdx'))
        pipeline.addStep('measure.tdx', name, MeasureTdxSpec, body, vm)
    }

    StepHandle vtpm(@DelegatesTo(value = MeasureVtpmSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.vtpm', null, MeasureVtpmSpec, body) }
    StepHandle vtpm(String name, @DelegatesTo(value = MeasureVtpmSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.vtpm', name, MeasureVtpmSpec, body) }

    StepHandle snp(@DelegatesTo(value = MeasureSnpSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.measureSnp(body) }
    StepHandle snp(String name, @DelegatesTo(value = MeasureSnpSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.measureSnp(name, body) }
}

class MeasureTdxSpec extends StepSpec {
    MeasureTdxSpec(StepType type, PipelineSpec p) { super(type, p) }
    void firmware(Object ovmf) { set('firmware', ovmf) }
    void kernel(Object kernel) { set('kernel', kernel) }
    void uki(Object uki) { set('uki', uki) }
    void initrd(Object initrd) { set('initrd', initrd) }
    void cmdline(String cmdline) { set('cmdline', cmdline) }
    void cpus(long cpus) { set('cpus', cpus) }
    void profile(String profile) { set('profile', profile) }
    void secureBoot(String value) { set('secureBoot', value) }
    void acpi(Object dir) { set('acpi', dir) }
    void vars(Object file) { set('vars', file) }
    void memory(Object size) { set('memory', size.toString()) }
    /** systemd-stub version of a UKI whose stub carries no .sdmagic. */
    void stubVersion(long version) { set('stubVersion', version) }
}
