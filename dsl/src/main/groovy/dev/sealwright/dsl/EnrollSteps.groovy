package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.engine.StepType

/**
 * {@code enroll { vm boot; vault v; expected prediction; waitFor ~/key-sha256=/ }} or
 * {@code enroll { port 24516; seed secret(file: 'seed.dat'); identity secret(file: 'vault/identity.pem'); mrtd 'hex' }}.
 */
class EnrollSpec extends StepSpec {
    EnrollSpec(StepType type, PipelineSpec p) { super(type, p) }

    /** The launch step running the TD: its forward to guest port 24516 and its console. */
    void vm(StepHandle launch) {
        set('vm', launch.vm)
        set('console', new OutputRef(launch.name, 'serialLog'))
    }
}
