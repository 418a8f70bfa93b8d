package dev.sealwright.attest.dcap;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a successful verification: the combined TCB status with advisory IDs, the parts
 * it was combined from, the PCK platform data and the checks that passed. {@code status} is null
 * when no collateral was given (signatures and PCK chain only). {@code simulated}: the chain ends
 * at an explicitly trusted SIMULATED test root, not at the configured root.
 */
public record QuoteVerification(TcbStatus status, List<String> advisoryIds, TcbStatus platformStatus,
                                TcbStatus tdxModuleStatus, TcbStatus qeStatus, PckExtensions pck, Instant verifiedAt,
                                List<String> checks, boolean simulated) {

    public Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("verified", true);
        if (simulated) {
            m.put("SIMULATED", "signed by a locally generated test PKI, not by Intel: no hardware guarantee");
        }
        m.put("status", status == null ? "not evaluated (no collateral)" : status.name());
        m.put("advisory_ids", advisoryIds);
        if (status != null) {
            m.put("platform_status", platformStatus.name());
            m.put("tdx_module_status", tdxModuleStatus == null ? null : tdxModuleStatus.name());
            m.put("qe_status", qeStatus.name());
        }
        m.put("pck", pck.fields());
        m.put("verified_at", verifiedAt.toString());
        m.put("checks", checks);
        return m;
    }
}
