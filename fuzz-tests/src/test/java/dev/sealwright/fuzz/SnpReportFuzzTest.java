package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.attest.snp.AmdCertificates;
import dev.sealwright.attest.snp.ReportExpectations;
import dev.sealwright.attest.snp.ReportFiles;
import dev.sealwright.attest.snp.ReportVerification;
import dev.sealwright.attest.snp.ReportVerifier;
import dev.sealwright.base.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SEV-SNP attestation reports and AMD certificates as {@code attest snp} reads them: tag 0 = a
 * report file (binary, hex text or sev-crate JSON) verified with go-sev-guest's VCEK and Milan
 * chain; tag 1 = a VCEK file; tag 2 = an ASK/ARK chain file, each verified with the other two fixed.
 */
class SnpReportFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("snp-report");
    private static final byte[] REPORT = Fuzz.fixtureBytes("snp/go-sev-guest/attestation.bin");
    private static final X509Certificate VCEK = AmdCertificates.readOne(Fuzz.fixture("snp/go-sev-guest/vcek.testcer"));
    private static final List<X509Certificate> CHAIN = AmdCertificates.readAll(Fuzz.fixture("snp/go-sev-guest/milan.testcer"));
    private static final ReportExpectations EXPECT = ReportExpectations.none().at(Instant.parse("2024-06-01T00:00:00Z"));

    static Stream<Arguments> seeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(Fuzz.tagged(0, REPORT));
        s.add(Fuzz.tagged(0, Fuzz.fixtureBytes("snp/virtee-sev/report_milan.hex")));
        s.add(Fuzz.tagged(0, Fuzz.fixtureBytes("snp/snp-guard/benign-report.json")));
        s.add(Fuzz.tagged(0, HexFormat.of().formatHex(REPORT).getBytes()));
        s.add(Fuzz.tagged(1, Fuzz.fixtureBytes("snp/go-sev-guest/vcek.testcer")));
        s.add(Fuzz.tagged(1, Fuzz.fixtureBytes("snp/virtee-sev/vcek_turin.der")));
        s.add(Fuzz.tagged(2, Fuzz.fixtureBytes("snp/go-sev-guest/milan.testcer")));
        s.add(Fuzz.tagged(2, Fuzz.fixtureBytes("snp/go-sev-guest/milanvlek.testcer")));
        s.add(Fuzz.tagged(2, Fuzz.fixtureBytes("snp/virtee-sev/builtin/genoa/ark.pem")));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        switch (data[0] % 3) {
            case 0, -1 -> Fuzz.expectOneLine(() -> print(ReportVerifier.verify(ReportFiles.read(Fuzz.scratch("report", body)), VCEK, CHAIN, EXPECT)));
            case 1, -2 -> Fuzz.expectOneLine(() -> print(ReportVerifier.verify(REPORT, AmdCertificates.readOne(Fuzz.scratch("vcek", body)), CHAIN, EXPECT)));
            default -> Fuzz.expectOneLine(() -> print(ReportVerifier.verify(REPORT, VCEK, AmdCertificates.readAll(Fuzz.scratch("chain", body)), EXPECT)));
        }
    }

    private static void print(ReportVerification v) {
        Json.pretty(v.toMap());
        v.report().toMap(v.generation());
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
