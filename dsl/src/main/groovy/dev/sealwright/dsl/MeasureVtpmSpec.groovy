package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/**
 * {@code measure.vtpm { firmwareCode file('OVMF_CODE_4M.snakeoil.fd'); firmwareVars file('OVMF_VARS_4M.snakeoil.fd');
 * uki pack.uki; secureBoot true }}: predicted vTPM PCRs (expected.json, value pcr7), the pcrValues of tpmSeal.
 */
class MeasureVtpmSpec extends StepSpec {
    MeasureVtpmSpec(StepType type, PipelineSpec p) { super(type, p) }
    void firmwareCode(Object f) { set('firmwareCode', f) }
    void firmwareVars(Object f) { set('firmwareVars', f) }
    void uefiConfig(Object f) { set('uefiConfig', f) }
    void uki(Object f) { set('uki', f) }
    void espChain(boolean on) { set('espChain', on) }
    void secureBoot(boolean on) { set('secureBoot', on) }
    void bootDisk(Object f) { set('bootDisk', f) }
    void referenceLog(Object f) { set('referenceLog', f) }
    void profile(Object f) { set('profile', f) }
    void memory(String size) { set('memory', size) }
    void cpus(long n) { set('cpus', n) }
}
