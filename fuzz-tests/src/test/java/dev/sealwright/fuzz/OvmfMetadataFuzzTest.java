package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.measure.snp.LaunchDigestCalculator;
import dev.sealwright.measure.snp.SevMode;
import dev.sealwright.measure.snp.SnpLaunchParameters;
import dev.sealwright.measure.snp.VmmType;
import dev.sealwright.measure.tdx.MrtdCalculator;
import dev.sealwright.measure.tdx.TdvfMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * OVMF firmware metadata: tag 0 = an image whose SEV metadata and GUIDed footer table
 * {@code measure snp} reads (SNP, SEV-ES and SEV launch digests); tag 1 = the tail of a TDVF
 * image (TDX metadata and MRTD, {@code measure tdx}), placed at the end of 2 MiB as in Debian's OVMF.fd.
 */
class OvmfMetadataFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("ovmf-metadata");
    private static final Path TDVF = Path.of("/usr/share/ovmf/OVMF.fd");
    private static final int TDVF_SIZE = 2 << 20;

    static Stream<Arguments> seeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(Fuzz.tagged(0, Fuzz.fixtureBytes("snp/sev-snp-measure/ovmf_AmdSev_suffix.bin")));
        s.add(Fuzz.tagged(0, Fuzz.fixtureBytes("snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin")));
        if (!Files.isRegularFile(TDVF)) throw new IllegalStateException(TDVF + " missing: install the Debian package ovmf");
        byte[] fw = Fuzz.read(TDVF);
        s.add(Fuzz.tagged(1, Arrays.copyOfRange(fw, fw.length - 0x1000, fw.length)));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        if ((data[0] & 1) == 0) {
            Path ovmf = Fuzz.scratch("ovmf.fd", body);
            for (SevMode mode : List.of(SevMode.SNP, SevMode.SEV_ES, SevMode.SEV)) {
                Fuzz.expectOneLine(() -> LaunchDigestCalculator.measure(SnpLaunchParameters.builder().mode(mode).ovmf(ovmf)
                        .vmmType(VmmType.QEMU).vcpus(2).vcpuType("EPYC-v4").build()));
            }
        } else if (body.length <= TDVF_SIZE) {
            byte[] fw = new byte[TDVF_SIZE];
            System.arraycopy(body, 0, fw, TDVF_SIZE - body.length, body.length);
            Fuzz.expectOneLine(() -> {
                TdvfMetadata md = TdvfMetadata.parse(fw, "OVMF.fd");
                MrtdCalculator.compute(fw, md, MrtdCalculator.PageOrder.SINGLE_PASS);
            });
        }
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
