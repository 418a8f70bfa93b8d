package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.engine.StepType

/**
 * {@code enroll { vm boot; vault v; expected prediction.expected; waitFor ~/key-sha256=/ }} or
 * {@code enroll { port 24516; seed secret(file: 'seed.dat'); identity secret(file: 'vault/identity.pem'); mrtd 'hex' }}.
 */
class EnrollSpec extends StepSpec {
    EnrollSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** The launch step running the TD: its forward to guest port 24516 and its console. */
    void vm(StepHandle launch) {
        set('vm', launch.vm)
        set('console', new OutputRef(launch.name, 'serialLog'))
    }
    /** A vault step (seed and SIMULATED identity kept in the workspace). */
    void vault(StepHandle v) { set('vault', v.vault) }
    /** What the TD must report: a measure.tdx step (or its expected.json). */
    void expected(Object prediction) {
        if (prediction instanceof StepHandle && ((StepHandle) prediction).step.type().name() == 'measure.tdx') prediction = ((StepHandle) prediction).expected
        set('expected', prediction)
    }
    void mrtd(String hex) { set('mrtd', hex) }
    void rtmr0(String hex) { set('rtmr0', hex) }
    void rtmr1(String hex) { set('rtmr1', hex) }
    void rtmr2(String hex) { set('rtmr2', hex) }
    void rtmr3(String hex) { set('rtmr3', hex) }
    /** The SIMULATED TD report template the guest was given (a tdreport.simulated step). */
    void simulatedTdReport(Object template) { set('simulatedTdReport', template) }
    /** After the key is delivered, wait until the VM console prints a matching line. */
    void waitFor(Object regex) { set('waitFor', regex instanceof java.util.regex.Pattern ? ((java.util.regex.Pattern) regex).pattern() : regex.toString()) }
    void host(String address) { set('host', address) }
    void port(long port) { set('port', port) }
    /** The vault seed: a secret, never a string. */
    void seed(Object secret) { set('seed', secret) }
    /** The SIMULATED vault identity (identity.pem holds private keys: a secret). */
    void identity(Object secret) { set('identity', secret) }
    void timeout(long seconds) { set('timeout', seconds) }
}

/** {@code vault('vault') { }}: the software vault (seed + SIMULATED SGX identity), created once per workspace. */
class VaultSpec extends StepSpec {
    VaultSpec(StepType type, PipelineSpec p) { super(type, p) }
}

/** {@code simulatedTdReport('tdreport') { expected prediction }}: a SIMULATED TD report template for a non-TD guest. */
class SimulatedTdReportSpec extends StepSpec {
    SimulatedTdReportSpec(StepType type, PipelineSpec p) { super(type, p) }
    void expected(Object prediction) {
        if (prediction instanceof StepHandle && ((StepHandle) prediction).step.type().name() == 'measure.tdx') prediction = ((StepHandle) prediction).expected
        set('expected', prediction)
    }
}
