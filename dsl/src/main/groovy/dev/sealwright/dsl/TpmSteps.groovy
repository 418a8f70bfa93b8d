package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/** {@code tpmSeal { srkPub file('srk.pub'); pcrs 'sha256:7'; pcrValues file('pcrs.json'); data secret(file: 'key') }}. */
class TpmSealSpec extends StepSpec {
    TpmSealSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** SRK public area as tpm2_readpublic -o writes it. */
    void srkPub(Object file) { set('srkPub', file) }
    /** PCR selection, e.g. 'sha256:7,4'. */
    void pcrs(String selection) { set('pcrs', selection) }
    /** Predicted PCR values, {"sha256": {"7": "<hex>"}}. */
    void pcrValues(Object file) { set('pcrValues', file) }
    /** The secret to seal (1..128 bytes): {@code data secret(file: 'key.bin')}. */
    void data(Object secret) { set('data', secret) }
    /** Also write a systemd-tpm2 LUKS2 token for this keyslot. */
    void keyslot(long slot) { set('keyslot', slot) }
}
