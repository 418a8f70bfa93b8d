package dev.sealwright.attest.snp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Outcome of verifying an SNP report: every check with its verdict and reason. {@code simulated}: the
 * chain ends at an explicitly trusted SIMULATED test ARK, not at an AMD root.
 */
public record ReportVerification(AttestationReport report, ProductGeneration generation, List<Check> checks, boolean simulated) {
    public record Check(String name, boolean ok, String detail) {}

    public boolean ok() {
        return checks.stream().allMatch(Check::ok);
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> !c.ok()).toList();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (simulated) m.put("SIMULATED", "signed by a locally generated test chain, not by AMD SNP firmware: no hardware guarantee");
        m.put("verified", ok());
        m.put("product", generation == null ? null : generation.kdsName);
        m.put("checks", checks.stream().map(c -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("check", c.name());
            e.put("ok", c.ok());
            e.put("detail", c.detail());
            return e;
        }).toList());
        m.put("report", report.toMap(generation));
        return m;
    }
}
