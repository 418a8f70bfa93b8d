package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType

import java.util.regex.Pattern

/**
 * {@code launch { firmware f; kernel k; initrd i; cmdline 'console=ttyS0'; cpus 2; memory '2G'; vtpm true;
 * forward '2222:22'; waitFor ~/login:/, timeout: '120s' }}: boot a VM and keep it up for the steps using it.
 * Option names match the flags of {@code sealwright launch}. The VM options (firmware ... nics, topology) build the
 * step's one {@code vm} value, as {@code vm { }} does; {@code launch(vm) { ... }} starts from that value.
 */
class LaunchSpec extends StepSpec {
    LaunchSpec(StepType type, PipelineSpec p) { super(type, p) }

    /** OVMF code (with {@link #vars}) or a single firmware file (OVMF.fd, TDVF, SNP OVMF). */
    void firmware(Object file) { vm().firmware(file) }
    /** OVMF vars template; the VM boots from its own copy. */
    void vars(Object file) { vm().vars(file) }
    /** Direct boot: kernel, initrd and command line. */
    void kernel(Object file) { vm().kernel(file) }
    void initrd(Object file) { vm().initrd(file) }
    void cmdline(String line) { vm().cmdline(line) }
    /** ESP boot: the UKI becomes \EFI\BOOT\BOOTX64.EFI of a generated GPT disk. */
    void uki(Object file) { vm().uki(file) }
    /** Disk image boot: a raw GPT disk the firmware boots from its ESP (e.g. a deployed shim → GRUB → kernel image); writes are discarded. */
    void bootDisk(Object file) { vm().bootDisk(file) }
    /** With vtpm: the swtpm state directory the vTPM starts from (a copy), e.g. the TPM whose SRK a disk was sealed to. */
    void tpmState(Object dir) { vm().tpmState(dir) }
    void cpus(long n) { vm().cpus(n) }
    /** Memory size as QEMU takes it: '512M', '2G'. */
    void memory(Object size) { vm().memory(size) }
    /** none, tdx or snp. */
    void tee(String mode) { vm().tee(mode) }
    /** Attach a swtpm TPM 2.0. */
    void vtpm(boolean on) { vm().vtpm(on) }
    void disk(Object... files) { vm().disk(files) }
    /** Launch through libvirt at this URI ('qemu:///system', 'qemu+ssh://host/system'): the domain is defined, started and, at the end, destroyed and undefined. */
    void libvirt(String uri) { set('libvirt', uri) }
    /** Only write the QEMU command line (output value commandLine); start nothing. For TEE launches on a host without the TEE. */
    void dryRun(boolean on) { set('dryRun', on) }
    /** SNP: launch with the ID block and ID auth of an snpIdBlock step (author-key-enabled=on). */
    void snpIdBlock(Object dir) { set('snpIdBlock', dir) }
    /** 'HOSTPORT:GUESTPORT' or one port used on both sides; reachable on 127.0.0.1. */
    void forward(Object... ports) { vm().forward(ports) }
    /** User-mode NICs without forwards, e.g. for a guest that calls a service on the host (10.0.2.2). */
    void nics(long n) { vm().nics(n) }
    /** A named device topology ('ubuntu-24.04': the quex TD shape). */
    void topology(String name) { vm().topology(name) }

    /** The VM this step boots: the {@code vm { }} value it was given (a copy), or one the VM options above build. */
    private VmValue vm() { (VmValue) (options.vm ?: (options.vm = new VmValue(pipeline))) }

    /** Service steps the guest calls (e.g. {@code uses broker, quotes}): up before the VM starts, kept up while it runs. */
    void uses(Object... services) {
        set('uses', services.collect { s ->
            if (!(s instanceof StepHandle)) return s
            def h = (StepHandle) s
            def out = h.step.type().outputs().find { it.isPath() }
            if (out == null) throw new RecipeException("uses: step ${h.step.name()} has no file output to depend on", pipeline.locator.here('uses'))
            new OutputRef(h.step.name(), out.name())
        } as Object[])
    }

    /** Finish the step once the console prints a line matching {@code regex}; {@code timeout: '120s'}. */
    void waitFor(Map opts = [:], Object regex) {
        set('waitFor', regex instanceof Pattern ? ((Pattern) regex).pattern() : regex.toString())
        if (opts.timeout != null) set('timeout', seconds(opts.timeout))
        def unknown = opts.keySet() - ['timeout']
        if (unknown) throw new RecipeException("waitFor takes only timeout:, not ${unknown.join(', ')}", pipeline.locator.here('waitFor'))
    }

    /** Seconds from 90, '90s', '2m'. */
    private long seconds(Object t) {
        if (t instanceof Number) return ((Number) t).longValue()
        def m = t.toString().strip() =~ /^(\d+)\s*(s|m|h)?$/
        if (!m.matches()) throw new RecipeException("timeout '${t}' is not like 90s, 2m or 1h", pipeline.locator.here('timeout'))
        long n = m.group(1) as long
        switch (m.group(2)) {
            case 'm': return n * 60
            case 'h': return n * 3600
            default: return n
        }
    }
}
