package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/** {@code quoteVerify { quote q; collateral c; at '2025-07-19T10:00:34Z'; policy p }}: DCAP verification → verification.json. */
class QuoteVerifySpec extends StepSpec {
    QuoteVerifySpec(StepType type, PipelineSpec p) { super(type, p) }
    /** The quote: {@code file('q.bin')} or another step's output. */
    void quote(Object file) { set('quote', file) }
    /** dcap-qvl collateral JSON or a directory of PCS responses. */
    void collateral(Object fileOrDir) { set('collateral', fileOrDir) }
    /** Verification time (ISO-8601); explicit so the cached result is reproducible. */
    void at(String instant) { set('at', instant) }
    /** Trusted root certificate instead of the pinned Intel SGX Root CA. */
    void root(Object file) { set('root', file) }
    /** Expected values JSON (mrtd, rtmr0..3, report_data, xfam, allow_debug). */
    void policy(Object file) { set('policy', file) }
    /** Accept the SIMULATED test root (results are labelled SIMULATED). */
    void trustSimulated(boolean v) { set('trustSimulated', v) }
}
