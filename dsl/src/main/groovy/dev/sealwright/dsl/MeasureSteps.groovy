package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/**
 * The {@code measure} namespace of a pipeline. {@code measure.tdx { firmware file('OVMF.fd'); kernel ...;
 * profile 'ubuntu-24.04' }}: the cached measure.tdx step (expected.json); {@code measure.snp { ... }}:
 * the SEV-SNP launch digest. Option names match the {@code sealwright measure} flags. The form taking
 * the Launch component's VmSpec ({@code measure.tdx(vm) { ... }}) is not in this build.
 */
class MeasureSteps {
    private final PipelineSpec pipeline

    MeasureSteps(PipelineSpec pipeline) { this.pipeline = pipeline }

    StepHandle tdx(@DelegatesTo(value = MeasureTdxSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.tdx', null, MeasureTdxSpec, body) }
    StepHandle tdx(String name, @DelegatesTo(value = MeasureTdxSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { pipeline.addStep('measure.tdx', name, MeasureTdxSpec, body) }

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
    void memory(String memory) { set('memory', memory) }
    void profile(String profile) { set('profile', profile) }
    void secureBoot(String value) { set('secureBoot', value) }
    void acpi(Object dir) { set('acpi', dir) }
}
