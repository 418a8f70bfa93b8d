package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType
import dev.sealwright.measure.snp.ByteValues
import dev.sealwright.measure.snp.SevMode
import dev.sealwright.measure.snp.VcpuTypes
import dev.sealwright.measure.snp.VmmType

/**
 * {@code measure.snp { ovmf file('OVMF.fd'); vcpus 4; vcpuType 'EPYC-v4'; kernel k; initrd i; append 'console=ttyS0' }}:
 * the predicted SEV-SNP launch digest (outputs: measurement.json and the value {@code digest}).
 */
class MeasureSnpSpec extends StepSpec {
    MeasureSnpSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** Firmware exactly as given to QEMU ({@code -bios}). */
    void ovmf(Object file) { set('ovmf', file) }
    /** snp (default), snp:ovmf-hash, snp:svsm, seves or sev. */
    void mode(String mode) { checked('mode') { SevMode.parse(mode) }; set('mode', mode) }
    void vcpus(long n) { set('vcpus', n) }
    /** QEMU {@code -cpu} model, default EPYC-v4. */
    void vcpuType(String cpu) { checked('vcpuType') { VcpuTypes.signature(cpu) }; set('vcpuType', cpu) }
    /** QEMU (default), ec2, ec2-legacy or gce. */
    void vmmType(String vmm) { checked('vmmType') { VmmType.parse(vmm) }; set('vmmType', vmm) }
    void kernel(Object file) { set('kernel', file) }
    void initrd(Object file) { set('initrd', file) }
    void append(String cmdline) { set('append', cmdline) }
    /** VMSA SEV_FEATURES, default 0x1. */
    void guestFeatures(long bits) { set('guestFeatures', bits) }
    /** Host kernel version; 6.10 or later (default) sets MXCSR/FCW in the VMSA. */
    void hostKernel(String version) { checked('hostKernel') { ByteValues.isKvmInit2(version) }; set('hostKernel', version) }
    void ovmfHash(String hex) { set('ovmfHash', hex) }
    void svsm(Object file) { set('svsm', file) }
    void varsSize(long bytes) { set('varsSize', bytes) }
    void varsFile(Object file) { set('varsFile', file) }
    void vcpuSig(long sig) { set('vcpuSig', sig) }
    void vcpuFamily(long n) { set('vcpuFamily', n) }
    void vcpuModel(long n) { set('vcpuModel', n) }
    void vcpuStepping(long n) { set('vcpuStepping', n) }

    /** Values checked while the recipe is read, so the error points at its line. */
    private void checked(String option, Closure check) {
        try {
            check.call()
        } catch (RecipeException e) {
            throw new RecipeException(e.message, pipeline.locator.here(option))
        }
    }
}

/**
 * {@code snpIdBlock { measurement snp.measurement; idKey secret(file: 'id.pem'); authorKey secret(file: 'author.pem') }}:
 * the signed ID block and ID auth for a predicted launch digest (output directory idblock; give it to {@code launch { snpIdBlock ... }}).
 */
class SnpIdBlockSpec extends StepSpec {
    SnpIdBlockSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** measurement.json of a measure.snp step. */
    void measurement(Object file) { set('measurement', file) }
    /** P-384 ID key: {@code secret(file: 'id-key.pem')}. */
    void idKey(Object secret) { set('idKey', secret) }
    /** P-384 author key: {@code secret(file: 'author-key.pem')}. */
    void authorKey(Object secret) { set('authorKey', secret) }
    /** Guest policy, e.g. '0x30000'; must equal the launch's. */
    void policy(String hex) { set('policy', hex) }
    void familyId(String hex) { set('familyId', hex) }
    void imageId(String hex) { set('imageId', hex) }
    void svn(long svn) { set('svn', svn) }
}

/**
 * SIMULATED: {@code snpSimulate { measurement snp.measurement; at '2026-01-01T00:00:00Z' }} → report, vcek, chain
 * (a test chain, not AMD; verify only with {@code trustSimulated}).
 */
class SnpSimulateSpec extends StepSpec {
    SnpSimulateSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** measurement.json of a measure.snp step. */
    void measurement(Object file) { set('measurement', file) }
    /** Guest policy the report carries, e.g. '0x30000'. */
    void policy(String hex) { set('policy', hex) }
    void reportData(String hex) { set('reportData', hex) }
    /** Start of the test chain's validity (ISO-8601). */
    void at(String instant) { set('at', instant) }
}

/** {@code snpVerify { report r; vcek v; chain c; measurement snp.measurement; at '…' }}: the SNP report check → verification.json. */
class SnpVerifySpec extends StepSpec {
    SnpVerifySpec(StepType type, PipelineSpec p) { super(type, p) }
    void report(Object file) { set('report', file) }
    /** VCEK or VLEK certificate. */
    void vcek(Object file) { set('vcek', file) }
    /** ASK and ARK (PEM). */
    void chain(Object file) { set('chain', file) }
    /** measurement.json of a measure.snp step: the launch digest the report must carry. */
    void measurement(Object file) { set('measurement', file) }
    /** Expected guest policy, e.g. '0x30000'. */
    void policy(String hex) { set('policy', hex) }
    /** Verification time (ISO-8601); explicit so the cached result is reproducible. */
    void at(String instant) { set('at', instant) }
    /** Accept the SIMULATED test ARK (results are labelled SIMULATED). */
    void trustSimulated(boolean v) { set('trustSimulated', v) }
}
