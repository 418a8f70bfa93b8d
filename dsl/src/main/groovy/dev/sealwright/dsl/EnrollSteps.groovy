package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/** {@code enroll { port 24516; seed secret(file: 'seed.dat'); identity secret(file: 'vault/identity.pem') }}. */
class EnrollSpec extends StepSpec {
    EnrollSpec(StepType type, PipelineSpec p) { super(type, p) }
    void host(String address) { set('host', address) }
    void port(long port) { set('port', port) }
    /** The vault seed: a secret, never a string. */
    void seed(Object secret) { set('seed', secret) }
    /** The SIMULATED vault identity (identity.pem holds private keys: a secret). */
    void identity(Object secret) { set('identity', secret) }
    void timeout(long seconds) { set('timeout', seconds) }
}
