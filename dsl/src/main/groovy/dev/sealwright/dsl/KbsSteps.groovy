package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType

/**
 * {@code kbs { policy file('policy.json'); secrets secret(file: 'secrets.json'); port 8990 }}: the key
 * broker as a service for the steps using it (docs/kbs.md).
 */
class KbsSpec extends StepSpec {
    KbsSpec(StepType type, PipelineSpec p) { super(type, p) }
    void policy(Object file) { set('policy', file) }
    /** secrets.json (mode 0600): a secret, never a string, or another step's output (e.g. {@code volume.secrets}). */
    void secrets(Object secret) { set(secret instanceof OutputRef ? 'secretsFile' : 'secrets', secret) }
    /** TDX collateral replacing the policy's tdx.collateral, e.g. {@code sim.collateral}. */
    void collateral(Object file) { set('collateral', file) }
    void port(long port) { set('port', port) }
    void bind(String address) { set('bind', address) }
}

/** {@code kbsSimulatedQuotes { mrtd '...'; rtmr0 '...'; port 8991 }}: SIMULATED TDX quotes for guests without TDX. */
class KbsSimulatedQuotesSpec extends StepSpec {
    KbsSimulatedQuotesSpec(StepType type, PipelineSpec p) { super(type, p) }
    void mrtd(String hex) { set('mrtd', hex) }
    void rtmr0(String hex) { set('rtmr0', hex) }
    void rtmr1(String hex) { set('rtmr1', hex) }
    void rtmr2(String hex) { set('rtmr2', hex) }
    void rtmr3(String hex) { set('rtmr3', hex) }
    /** A measure.tdx prediction ({@code prediction.expected}): its MRTD and computed RTMRs. */
    void expected(Object file) { set('expected', file) }
    void port(long port) { set('port', port) }
    void bind(String address) { set('bind', address) }
}

/** {@code luksVolume { filesystem fs.out; resource 'luks-root' }}: a LUKS2 disk whose generated key goes to the broker (cczoo). */
class LuksVolumeSpec extends StepSpec {
    LuksVolumeSpec(StepType type, PipelineSpec p) { super(type, p) }
    void filesystem(Object file) { set('filesystem', file) }
    void resource(String name) { set('resource', name) }
    void label(String label) { set('label', label) }
}

/** {@code kbsVerdict { audit broker.audit; resource 'luks-root'; after boot }}: grants and refusals as run-report values. */
class KbsVerdictSpec extends StepSpec {
    KbsVerdictSpec(StepType type, PipelineSpec p) { super(type, p) }
    void audit(Object file) { set('audit', file) }
    void resource(String name) { set('resource', name) }
    /** 'grant' or 'refuse': the run fails unless the last verdict is this. */
    void require(String verdict) { set('require', verdict) }
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
