package dev.sealwright.attest.snp;

import java.time.Instant;

/**
 * What the verifier checks beyond signatures: expected measurement, policy, report data, host data,
 * whether a debug policy is acceptable, and the time at which certificates must be valid.
 */
public record ReportExpectations(byte[] measurement, Long policy, byte[] reportData, byte[] hostData, boolean allowDebug, Instant at) {
    public static ReportExpectations none() {
        return new ReportExpectations(null, null, null, null, false, null);
    }

    public ReportExpectations withMeasurement(byte[] v) {
        return new ReportExpectations(v, policy, reportData, hostData, allowDebug, at);
    }

    public ReportExpectations withPolicy(Long v) {
        return new ReportExpectations(measurement, v, reportData, hostData, allowDebug, at);
    }

    public ReportExpectations withReportData(byte[] v) {
        return new ReportExpectations(measurement, policy, v, hostData, allowDebug, at);
    }

    public ReportExpectations withHostData(byte[] v) {
        return new ReportExpectations(measurement, policy, reportData, v, allowDebug, at);
    }

    public ReportExpectations withAllowDebug(boolean v) {
        return new ReportExpectations(measurement, policy, reportData, hostData, v, at);
    }

    public ReportExpectations at(Instant v) {
        return new ReportExpectations(measurement, policy, reportData, hostData, allowDebug, v);
    }
}
