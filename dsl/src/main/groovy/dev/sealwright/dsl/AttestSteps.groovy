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

/** SIMULATED: {@code quoteSimulate { expected measured.expected; at '2026-01-01T00:00:00Z' }} → quote, collateral (test PKI). */
class QuoteSimulateSpec extends StepSpec {
    QuoteSimulateSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** expected.json of a measure.tdx step. */
    void expected(Object file) { set('expected', file) }
    void reportData(String hex) { set('reportData', hex) }
    /** Start of the collateral's 30-day validity (ISO-8601). */
    void at(String instant) { set('at', instant) }
}

/** {@code rpcEndpoint { }}: SIMULATED local JSON-RPC endpoint (service step; output value url). */
class RpcEndpointSpec extends StepSpec {
    RpcEndpointSpec(StepType type, PipelineSpec p) { super(type, p) }
    void port(long port) { set('port', port) }
}

/** {@code quotePublish { endpoint rpc.url; quote q.quote }}: POST the quote as a JSON-RPC call → receipt.json. */
class QuotePublishSpec extends StepSpec {
    QuotePublishSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** A URL string or an rpcEndpoint step's {@code url}. */
    void endpoint(Object urlOrOutput) { set('endpoint', urlOrOutput) }
    void quote(Object file) { set('quote', file) }
    void method(String name) { set('method', name) }
    void timeout(long seconds) { set('timeout', seconds) }
}
