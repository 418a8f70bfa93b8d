package dev.sealwright.attest.snp;

import java.time.Instant;

/**
 * What the verifier checks beyond signatures: expected measurement, policy, report data, host data,
 * whether a debug policy is acceptable, the time at which certificates must be valid, and whether a
 * chain ending at sealwright's SIMULATED test ARK is accepted (off unless asked for explicitly).
 */
public record ReportExpectations(byte[] measurement, Long policy, byte[] reportData, byte[] hostData, boolean allowDebug, Instant at,
                                 boolean trustSimulated) {
    public static ReportExpectations none() {
        return new ReportExpectations(null, null, null, null, false, null, false);
    }

    public ReportExpectations withMeasurement(byte[] v) {
        return new ReportExpectations(v, policy, reportData, hostData, allowDebug, at, trustSimulated);
    }

    public ReportExpectations withPolicy(Long v) {
        return new ReportExpectations(measurement, v, reportData, hostData, allowDebug, at, trustSimulated);
    }

    public ReportExpectations withReportData(byte[] v) {
        return new ReportExpectations(measurement, policy, v, hostData, allowDebug, at, trustSimulated);
    }

    public ReportExpectations withHostData(byte[] v) {
        return new ReportExpectations(measurement, policy, reportData, v, allowDebug, at, trustSimulated);
    }

    public ReportExpectations withAllowDebug(boolean v) {
        return new ReportExpectations(measurement, policy, reportData, hostData, v, at, trustSimulated);
    }

    public ReportExpectations at(Instant v) {
        return new ReportExpectations(measurement, policy, reportData, hostData, allowDebug, v, trustSimulated);
    }

    public ReportExpectations withTrustSimulated(boolean v) {
        return new ReportExpectations(measurement, policy, reportData, hostData, allowDebug, at, v);
    }
}
