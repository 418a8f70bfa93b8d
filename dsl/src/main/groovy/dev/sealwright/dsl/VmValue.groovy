package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.base.SourceLocation
import dev.sealwright.engine.FileRef
import dev.sealwright.engine.Input
import dev.sealwright.vm.LaunchStep
import dev.sealwright.vm.MachineTopology
import dev.sealwright.vm.VmSpec

import java.nio.file.Path

/**
 * {@code def vm = vm { firmware file('OVMF.fd'); kernel k; cmdline 'console=ttyS0'; cpus 2; memory '2G'; tee 'tdx' }}:
 * one VM description, a value rather than a step. It becomes one typed {@link LaunchStep.VmOption} (a {@link VmSpec} whose
 * files are the step's inputs), the {@code vm} option of {@code launch(vm)} and {@code measure.tdx(vm)}: both read the same
 * VmSpec, built and checked once, when the recipe loads. Defaults are VmSpec's. Files may be step outputs.
 */
class VmValue {
    /** What the recipe said, by VmSpec field (files as DSL values, possibly step outputs); {@link #toOption} makes it typed. */
    final Map<String, Object> options = new LinkedHashMap<>()
    private final PipelineSpec pipeline

    VmValue(PipelineSpec pipeline) { this.pipeline = pipeline }

    /** A copy a step may add to ({@code launch(vm) { cpus 4 }}) without changing {@code vm} for the other steps. */
    VmValue copy() {
        def v = new VmValue(pipeline)
        options.each { k, val -> v.options[k] = val instanceof List ? new ArrayList((List) val) : val }
        v
    }

    void firmware(Object file) { options.firmware = file }
    void vars(Object file) { options.vars = file }
    void kernel(Object file) { options.kernel = file }
    void initrd(Object file) { options.initrd = file }
    void cmdline(String line) { options.cmdline = line }
    /** ESP boot: the UKI becomes \EFI\BOOT\BOOTX64.EFI of a generated GPT disk (give a UKI as kernel for direct boot). */
    void uki(Object file) { options.uki = file }
    /** Disk image boot: a raw GPT disk the firmware boots from its ESP; writes are discarded. */
    void bootDisk(Object file) { options.bootDisk = file }
    /** With vtpm: the swtpm state directory the vTPM starts from (a copy). */
    void tpmState(Object dir) { options.tpmState = dir }
    void cpus(long n) { options.cpus = n }
    /** '2G', '512M' or a number of MiB; memory 2G unquoted is Groovy's BigInteger 2 (G is a type suffix) and is refused. */
    void memory(Object size) {
        if (size instanceof BigInteger || size instanceof BigDecimal)
            throw new RecipeException("vm option 'memory': memory ${size}G/${size}g is Groovy's number ${size}, not a size: quote it, memory '${size}G'", pipeline.locator.here('memory'))
        options.memory = size.toString()
    }
    /** none, tdx or snp. */
    void tee(String mode) { options.tee = mode }
    void vtpm(boolean on) { options.vtpm = on }
    void disk(Object... files) { options.disk = ((options.disk ?: []) as List) + (files as List) }
    void forward(Object... ports) { options.forward = ((options.forward ?: []) as List) + ports.collect { it.toString() } }
    /** User-mode virtio NICs (at least 1 with forward). */
    void nics(long n) { options.nics = n }
    /** A named device topology (machine type and options, every PCI device with its slot and boot index): 'ubuntu-24.04', the quex TD shape. */
    void topology(String name) { options.topology = name }

    /** Recipe helpers ({@code file}, {@code secret}, ...) and script methods stay callable; anything else is an unknown option. */
    def methodMissing(String name, Object args) {
        Object[] a = args as Object[]
        if (pipeline.respondsTo(name, a) || pipeline.metaClass.respondsTo(pipeline, name)) return pipeline.invokeMethod(name, a)
        if (pipeline.script.respondsTo(name, a)) return pipeline.script.invokeMethod(name, a)
        throw new RecipeException("unknown vm option '${name}' (known: firmware, vars, kernel, initrd, cmdline, uki, bootDisk, tpmState, cpus, memory, tee, vtpm, disk, forward, nics, topology)",
                pipeline.locator.here(name))
    }

    def propertyMissing(String name) {
        if (pipeline.hasProperty(name) || pipeline.hasLibrary(name)) return pipeline.getProperty(name)
        if (pipeline.script.binding.hasVariable(name)) return pipeline.script.binding.getVariable(name)
        throw new RecipeException("unknown name '${name}' in vm", pipeline.locator.here(name))
    }

    /** The typed value: a VmSpec (checked here, so a bad VM fails at {@code at} when the recipe loads) and its file inputs. */
    LaunchStep.VmOption toOption(SourceLocation at) {
        def b = VmSpec.builder()
        Map<String, Input> files = new LinkedHashMap<>()
        VmSpec.FILE_FIELDS.each { String field ->
            def v = options[field]
            if (v == null) return
            List values = field == 'disk' ? (List) v : [v]
            values.eachWithIndex { Object f, int i ->
                String slot = field == 'disk' ? "disk[${i}]".toString() : field
                files[slot] = input(field, f, at)
                b.file(field, slot)
            }
        }
        if (options.cmdline != null) b.cmdline((String) options.cmdline)
        if (options.cpus != null) b.cpus(Math.toIntExact((long) options.cpus))
        if (options.memory != null) b.memory((String) options.memory)
        if (options.tee != null) b.tee((String) options.tee)
        if (options.vtpm != null) b.vtpm((boolean) options.vtpm)
        if (options.nics != null) b.nics(Math.toIntExact((long) options.nics))
        ((List) (options.forward ?: [])).each { b.forward(it.toString()) }
        try {
            if (options.topology != null) b.topology(MachineTopology.named((String) options.topology, ((List) (options.disk ?: [])).size()))
            return new LaunchStep.VmOption(b.build(), files)
        } catch (RecipeException e) {
            throw e.location() == SourceLocation.UNKNOWN ? new RecipeException(e.message, at) : e
        }
    }

    private Input input(String field, Object v, SourceLocation at) {
        switch (v) {
            case StepHandle: return ((StepHandle) v).soleOutput()
            case Input: return (Input) v
            case File: return new FileRef(((File) v).toPath())
            case Path: return new FileRef((Path) v)
            default: throw new RecipeException("vm: ${field} must be a file (file('...')) or a step output, got ${v instanceof CharSequence ? "'${v}'" : v.getClass().simpleName}", at)
        }
    }
}
