package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/** {@code uefiConfig { vars file('/usr/share/OVMF/OVMF_VARS_4M.ms.fd') }}: uefi-config.json (output config). */
class UefiConfigSpec extends StepSpec {
    UefiConfigSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** OVMF variable store. */
    void vars(Object file) { set('vars', file) }
    /** Instead of vars: a certificate directory (PK/, KEK/, db/, dbx/), as uefi config --certs. */
    void certs(Object dir) { set('certs', dir) }
    void omitsReadyToBoot(boolean v) { set('omitsReadyToBoot', v) }
}
