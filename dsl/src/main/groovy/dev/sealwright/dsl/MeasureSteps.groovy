package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType

/**
 * The {@code measure} namespace of a pipeline. {@code measure.tdx { firmware file('OVMF.fd'); kernel ...;
 * profile 'ubuntu-24.04' }}: the cached measure.tdx step (expected.json); {@code measure.snp { ... }}:
 * the SEV-SNP launch digest. Option names match the {@code sealwright measure} flags.
 * {@code measure.tdx(vm) { profile 'ubuntu-24.04' }}, {@code measure.snp(vm)} and {@code measure.vtpm(vm)} take the VM
 * from a {@code vm { }} value, the one {@code launch(vm)} boots: the step's {@code vm} option is that typed value.
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

    /**
     * {@code measure.snp(vm) { mode 'snp' }}: the launch digest of the SNP guest {@code vm} describes, so the launch and the
     * prediction share one description (its firmware, vCPUs, CPU model and measured direct boot, kernel-hashes=on).
     */
    StepHandle snp(VmValue vm, @DelegatesTo(value = MeasureSnpSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { snp(null, vm, body) }
    StepHandle snp(String name, VmValue vm, @DelegatesTo(value = MeasureSnpSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) {
        Map<String, Object> o = vm.options
        if (o.tee != 'snp') throw new RecipeException("measure.snp: the vm's tee is ${o.tee ?: 'none'}; an SNP launch digest needs tee 'snp'", pipeline.locator.here('snp'))
        if (o.uki != null) throw new RecipeException("measure.snp: the vm boots a UKI from an ESP disk, which SNP does not measure; give it as kernel (measured direct boot)", pipeline.locator.here('snp'))
        pipeline.addStep('measure.snp', name, MeasureSnpSpec, body, vm)
    }

    /** {@code measure.vtpm(vm) { secureBoot true }}: the vTPM PCRs of the VM {@code vm} describes (firmware, vars, uki or boot disk, memory, vCPUs). */
    StepHandle vtpm(VmValue vm, @DelegatesTo(value = MeasureVtpmSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { vtpm(null, vm, body) }
    StepHandle vtpm(String name, VmValue vm, @DelegatesTo(value = MeasureVtpmSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) {
        if (vm.options.vtpm != true) throw new RecipeException("measure.vtpm: the vm has no vTPM; give it vtpm true", pipeline.locator.here('vtpm'))
        pipeline.addStep('measure.vtpm', name, MeasureVtpmSpec, body, vm)
    }
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
    /** all|linux|none: which images the host's QEMU patches (overrides the profile). */
    void kernelPatch(String value) { set('kernelPatch', value) }
    /** With uki: the disk image it boots from (default: the ESP disk launch writes for it). */
    void bootDisk(Object disk) { set('bootDisk', disk) }
    void acpi(Object dir) { set('acpi', dir) }
    void vars(Object file) { set('vars', file) }
    void memory(Object size) { set('memory', size.toString()) }
    /** systemd-stub version of a UKI whose stub carries no .sdmagic. */
    void stubVersion(long version) { set('stubVersion', version) }
}
