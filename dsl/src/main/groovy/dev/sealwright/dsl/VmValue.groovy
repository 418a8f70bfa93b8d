package dev.sealwright.dsl

import dev.sealwright.engine.StepType
import dev.sealwright.base.RecipeException

/**
 * {@code def vm = vm { firmware file('OVMF.fd'); kernel k; cmdline 'console=ttyS0'; cpus 2; memory '2G'; tee 'tdx' }}:
 * one VM description, a value rather than a step. {@code launch(vm) { ... }} boots it and
 * {@code measure.tdx(vm) { profile '...' }} predicts its measurements, so both read the same VmSpec.
 * Option names are those of the launch step and {@code sealwright launch}.
 */
class VmValue {
    /** Launch option name → DSL value (files may be step outputs). */
    final Map<String, Object> options = new LinkedHashMap<>()
    private final PipelineSpec pipeline

    VmValue(PipelineSpec pipeline) { this.pipeline = pipeline }

    void firmware(Object file) { options.firmware = file }
    void vars(Object file) { options.vars = file }
    void kernel(Object file) { options.kernel = file }
    void initrd(Object file) { options.initrd = file }
    void cmdline(String line) { options.cmdline = line }
    /** ESP boot: the UKI becomes \EFI\BOOT\BOOTX64.EFI of a generated GPT disk (give a UKI as kernel for direct boot). */
    void uki(Object file) { options.uki = file }
    void cpus(long n) { options.cpus = n }
    void memory(Object size) { options.memory = size.toString() }
    /** none, tdx or snp. */
    void tee(String mode) { options.tee = mode }
    void vtpm(boolean on) { options.vtpm = on }
    void disk(Object... files) { options.disk = ((options.disk ?: []) as List) + (files as List) }
    void forward(Object... ports) { options.forward = ((options.forward ?: []) as List) + ports.collect { it.toString() } }

    /** Recipe helpers ({@code file}, {@code secret}, ...) and script methods stay callable; anything else is an unknown option. */
    def methodMissing(String name, Object args) {
        Object[] a = args as Object[]
        if (pipeline.respondsTo(name, a) || pipeline.metaClass.respondsTo(pipeline, name)) return pipeline.invokeMethod(name, a)
        if (pipeline.script.respondsTo(name, a)) return pipeline.script.invokeMethod(name, a)
        throw new RecipeException("unknown vm option '${name}' (known: firmware, vars, kernel, initrd, cmdline, uki, cpus, memory, tee, vtpm, disk, forward)",
                pipeline.locator.here(name))
    }

    def propertyMissing(String name) {
        if (pipeline.hasProperty(name) || pipeline.hasLibrary(name)) return pipeline.getProperty(name)
        if (pipeline.script.binding.hasVariable(name)) return pipeline.script.binding.getVariable(name)
        throw new RecipeException("unknown name '${name}' in vm", pipeline.locator.here(name))
    }

    /** The options a step of {@code type} takes from this VM: those it declares; the others belong to launch only. */
    Map<String, Object> optionsFor(StepType type) {
        options.findAll { k, v -> type.option(k) != null }
    }
}
