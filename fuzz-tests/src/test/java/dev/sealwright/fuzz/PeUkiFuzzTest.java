package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.uki.UkiBuilder;
import dev.sealwright.image.uki.UkiInspector;
import dev.sealwright.measure.uki.StubMeasurements;
import dev.sealwright.measure.uki.StubVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * PE images and UKIs as {@code uki inspect} and the TDX/vTPM predictions read them: sections,
 * Authenticode digests, the systemd-stub version and the sections the stub measures.
 */
class PeUkiFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("pe-uki");
    private static final Path STUB = Path.of("/usr/lib/systemd/boot/efi/linuxx64.efi.stub");

    static Stream<Arguments> seeds() {
        if (!Files.isRegularFile(STUB)) throw new IllegalStateException(STUB + " missing: install the Debian package systemd-boot-efi");
        byte[] stub = Fuzz.read(STUB);
        List<byte[]> s = new ArrayList<>();
        s.add(stub);
        // our writer: a UKI around the stub (the stub's own PE stands in for the kernel)
        s.add(UkiBuilder.build(new UkiBuilder.Parts(stub, stub, "initrd".getBytes(StandardCharsets.UTF_8), "console=ttyS0",
                "6.12.0-fuzz", "ID=debian\nVERSION_ID=12\n"), STUB.toString()));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        Fuzz.expectOneLine(() -> {
            UkiInspector.inspect(data, "uki.efi");
            PeFile pe = PeFile.read(data, "uki.efi");
            StubVersion v = StubVersion.detect(pe).orElse(StubVersion.of(StubVersion.OLDEST_MODELLED));
            if (StubMeasurements.isUki(data)) {
                StubMeasurements.sections(pe, v, "uki.efi");
                StubMeasurements.commandLine(pe);
                if (v.initrdModelled()) StubMeasurements.initrd(pe, v);   // documented: only for modelled versions (callers check; a CI run found this)
                PeFile.authenticodeDigest(StubMeasurements.innerKernel(pe, "uki.efi"), "SHA-256", "uki.efi .linux");
            }
        });
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
