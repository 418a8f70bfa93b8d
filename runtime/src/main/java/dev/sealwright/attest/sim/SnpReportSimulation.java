package dev.sealwright.attest.sim;

import dev.sealwright.base.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * SIMULATED: one SEV-SNP attestation report signed by the VCEK of a freshly generated test chain (not AMD), with that
 * VCEK and the ASK/ARK chain. The one operation behind {@code sealwright snp simulate} and the {@code snp.simulate} step.
 */
public final class SnpReportSimulation {
    private SnpReportSimulation() {}

    /**
     * What the report carries; null means zeros (REPORT_DATA zero-padded to 64 bytes, a 48-byte launch digest,
     * 32 bytes HOST_DATA), the default policy 0x30000 (debug off) and, for {@code at}, now (the chain is valid
     * from a day before).
     */
    public record Request(byte[] reportData, byte[] measurement, byte[] hostData, Long policy, Instant at) {
        public Request {
            reportData = Arrays.copyOf(reportData == null ? new byte[0] : reportData, 64);
            measurement = measurement == null ? new byte[48] : measurement;
            hostData = hostData == null ? new byte[32] : hostData;
            policy = policy == null ? SimulatedSnpProvider.DEFAULT_POLICY : policy;
            at = at == null ? Instant.now() : at;
        }
    }

    /** The three files written. */
    public record Result(Path report, Path vcek, Path chain) {}

    public static Result write(Request request, Path reportOut, Path vcekOut, Path chainOut) throws IOException {
        var provider = new SimulatedSnpProvider(request.at().minus(Duration.ofDays(1)), request.at().plus(Duration.ofDays(3650)));
        AtomicFiles.write(reportOut, provider.report(request.reportData(), request.measurement(), request.hostData(), request.policy()).toBytes());
        AtomicFiles.write(vcekOut, SimulatedPki.pem(provider.vcek).getBytes(StandardCharsets.US_ASCII));
        AtomicFiles.write(chainOut, provider.chainPem().getBytes(StandardCharsets.US_ASCII));
        return new Result(reportOut, vcekOut, chainOut);
    }
}
