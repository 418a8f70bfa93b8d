package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sealwright.base.Json;
import dev.sealwright.base.OneLine;
import dev.sealwright.measure.event.CcelAcpiTable;
import dev.sealwright.measure.event.EventJson;
import dev.sealwright.measure.event.EventLog;
import dev.sealwright.measure.event.EventLogFiles;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.measure.event.Registers;
import dev.sealwright.measure.event.Tcg2EventLogCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CCEL and TCG2 event logs as {@code eventlog show|replay} read them: tag 0 = a log file as a CC
 * event log (binary, or sealwright's JSON), tag 1 = the same as a TPM event log, tag 2 = an ACPI
 * CCEL table. Every parsed log is printed as JSON, written back and replayed in each of its banks.
 */
class EventLogFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("eventlog");

    static Stream<Arguments> seeds() {
        List<byte[]> s = new ArrayList<>();
        for (String f : List.of("eventlog/go-eventlog/CCEL_unpadded.data.bin", "eventlog/go-eventlog/cos-113-intel-tdx-dupe-separator-unpadded.bin",
                "eventlog/go-eventlog/event_log.bin", "eventlog/dstack/ccel.bin")) {
            byte[] b = Fuzz.fixtureBytes(f);
            s.add(Fuzz.tagged(0, b));
            // our writer: the parsed log written back, and its JSON dump
            EventLog log = Tcg2EventLogCodec.read(b, f, LogKind.CC_EVENT_LOG);
            s.add(Fuzz.tagged(1, Tcg2EventLogCodec.write(EventLog.of(LogKind.TPM_EVENT_LOG, log.algorithms(), log.events()))));
            s.add(Fuzz.tagged(0, Json.pretty(EventJson.log(log)).getBytes(StandardCharsets.UTF_8)));
        }
        s.add(Fuzz.tagged(2, Fuzz.fixtureBytes("eventlog/go-eventlog/CCEL.bin")));
        s.add(Fuzz.tagged(2, Fuzz.fixtureBytes("eventlog/go-eventlog/cos-113-intel-tdx.table.bin")));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        switch (data[0] % 3) {
            case 0, -1 -> Fuzz.expectOneLine(() -> use(EventLogFiles.read(Fuzz.scratch("ccel.bin", body), LogKind.CC_EVENT_LOG)));
            case 1, -2 -> Fuzz.expectOneLine(() -> use(EventLogFiles.read(Fuzz.scratch("tcg2.bin", body), LogKind.TPM_EVENT_LOG)));
            default -> Fuzz.expectOneLine(() -> {
                if (CcelAcpiTable.looksLike(body)) CcelAcpiTable.read(body, "CCEL").ccTypeName();
            });
        }
    }

    private static void use(EventLog log) {
        Json.pretty(EventJson.log(log));
        Tcg2EventLogCodec.write(log);
        for (HashAlg alg : log.algorithms()) {
            Registers r;
            try {
                r = Registers.replay(log, alg);
            } catch (IllegalArgumentException e) {
                // documented: replay refuses events it cannot extend, and `eventlog replay` prints that as one line
                if (e.getMessage() == null || !OneLine.is(e.getMessage())) throw e;
                continue;
            }
            for (int i = 0; i < r.count(); i++) r.hex(i);
        }
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
