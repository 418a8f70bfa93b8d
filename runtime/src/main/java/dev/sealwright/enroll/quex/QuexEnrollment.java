package dev.sealwright.enroll.quex;

import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one quex enrollment: {@code sealwright enroll} and the {@code enroll} step both build a {@link Request}
 * and call {@link #run}; the defaults live here. Before the vault answers, the TD report must have DEBUG off
 * and the expected registers (and, for a SIMULATED TD report, be the template it was given).
 */
public final class QuexEnrollment {
    private QuexEnrollment() {}

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int AGENT_PORT = 24516;
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    /**
     * {@code expected}: a measure.tdx expected.json; {@code registers}: mrtd / rtmr0..3 in hex, overriding it
     * (one of the two, or a {@code simulatedTdReport} template, is required). Null host, port, timeout: the defaults.
     */
    public record Request(String host, Integer port, QuexClient.Vault vault, String vaultName, Path expected,
                          Map<String, String> registers, byte[] simulatedTdReport, Integer timeoutSeconds) {}

    /** The enrollment, the expectations it was checked against, the agent's host:port and the public JSON record. */
    public record Result(QuexClient.Enrollment enrollment, ExpectedMeasurements expected, String address, Map<String, Object> document) {
        public byte[] json() { return Json.pretty(document).getBytes(StandardCharsets.UTF_8); }

        public boolean simulated() { return document.get("td_report").toString().startsWith("SIMULATED"); }

        /** One line: DEBUG off and each register matched or not checked. */
        public String check() {
            TdReport report = enrollment.request().report();
            return (simulated() ? "SIMULATED TD report: " : "") + "debug off; " + String.join("; ", expected.compare(report).stream()
                    .map(c -> c.register() + (c.expected() == null ? " not checked" : " match " + c.expected().substring(0, 16) + "…")).toList());
        }
    }

    public static Result run(Request r) {
        Map<String, String> registers = r.registers() == null ? Map.of() : r.registers();
        if (r.expected() == null && registers.isEmpty() && r.simulatedTdReport() == null)
            throw new RecipeException("enroll: give the measurements the TD must report (expected, or mrtd/rtmr0..3 in hex)");
        ExpectedMeasurements expected = ExpectedMeasurements.fromPrediction(r.expected(), registers);
        byte[] template = r.simulatedTdReport();
        String host = r.host() == null ? DEFAULT_HOST : r.host();
        int port = r.port() == null ? AGENT_PORT : r.port();
        String who = host + ":" + port;
        int timeout = r.timeoutSeconds() == null ? DEFAULT_TIMEOUT_SECONDS : r.timeoutSeconds();
        QuexClient.Enrollment e = QuexClient.enroll(host, port, r.vault(), timeout * 1000, request -> {
            if (template != null) requireTemplate(request.report(), template, who);
            expected.require(request.report(), who);
        });
        TdReport report = e.request().report();
        HexFormat hex = HexFormat.of();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vault", r.vaultName());
        out.put("td_report", template != null ? "SIMULATED (template from tdreport.simulated; no TDX module measured this guest)" : "TDX module");
        out.put("td_public_key", e.tdPublicKeyHex());
        out.put("key_sha256", e.keySha256());
        out.put("td_report_sha256", hex.formatHex(QuexClient.sha256(report.bytes())));
        out.put("mask", hex.formatHex(e.request().mask().encode()));
        out.put("mr_td", hex.formatHex(report.mrTd()));
        out.put("rtmr0", hex.formatHex(report.rtmr(0)));
        out.put("rtmr1", hex.formatHex(report.rtmr(1)));
        out.put("measurements", expected.describe(report));
        return new Result(e, expected, who, out);
    }

    /** A SIMULATED TD report must be the template apart from REPORTDATA (which the agent fills). */
    static void requireTemplate(TdReport r, byte[] template, String who) {
        byte[] got = r.bytes(), want = template.clone();
        if (want.length != TdReport.SIZE) throw new RecipeException("SIMULATED TD report template is " + want.length + " bytes, not " + TdReport.SIZE);
        System.arraycopy(got, 128, want, 128, 64);
        if (!Arrays.equals(got, want))
            throw new RecipeException(who + ": the TD's SIMULATED report is not the template it was given; refusing to send a key");
    }
}
