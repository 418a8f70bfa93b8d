package dev.sealwright.attest.dcap;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a verified quote must also show before keys are released: expected MRTD and RTMRs, TD
 * attributes (DEBUG off unless allowed), XFAM, REPORTDATA, and the acceptable TCB statuses.
 * Unset expectations (null) are not checked; a failure is a {@link QuoteRejectedException} with
 * check {@code policy}.
 */
public record QuotePolicy(byte[] mrTd, byte[][] rtmrs, byte[] reportData, boolean allowDebug, byte[] xfam,
                          Set<TcbStatus> acceptedStatuses) {
    /** Everything except Revoked: the status is reported and the caller narrows it explicitly. */
    public static final Set<TcbStatus> DEFAULT_ACCEPTED = EnumSet.complementOf(EnumSet.of(TcbStatus.Revoked));

    public static QuotePolicy none() {
        return new QuotePolicy(null, new byte[4][], null, false, null, DEFAULT_ACCEPTED);
    }

    public QuotePolicy withMrTd(byte[] v) {
        return new QuotePolicy(v, rtmrs, reportData, allowDebug, xfam, acceptedStatuses);
    }

    public QuotePolicy withRtmr(int index, byte[] v) {
        byte[][] r = rtmrs.clone();
        r[index] = v;
        return new QuotePolicy(mrTd, r, reportData, allowDebug, xfam, acceptedStatuses);
    }

    public QuotePolicy withReportData(byte[] v) {
        return new QuotePolicy(mrTd, rtmrs, Arrays.copyOf(v, 64), allowDebug, xfam, acceptedStatuses);
    }

    public QuotePolicy withAllowDebug(boolean v) {
        return new QuotePolicy(mrTd, rtmrs, reportData, v, xfam, acceptedStatuses);
    }

    public QuotePolicy withXfam(byte[] v) {
        return new QuotePolicy(mrTd, rtmrs, reportData, allowDebug, v, acceptedStatuses);
    }

    public QuotePolicy withAccepted(Set<TcbStatus> v) {
        return new QuotePolicy(mrTd, rtmrs, reportData, allowDebug, xfam, EnumSet.copyOf(v));
    }

    /** A policy JSON file. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a quote policy", 1 << 20);

    /**
     * Expected values from a JSON file: {@code mrtd} (or {@code mr_td}), {@code rtmr0}..{@code rtmr3},
     * {@code report_data}, {@code xfam}, {@code allow_debug}, looked up at the top level or under
     * {@code tdx} (hex strings; other keys are ignored, so a measurement report can serve as policy).
     */
    public QuotePolicy withJson(Path file) {
        JsonNode n = Json.tree(InputFiles.read(file, FILE_BOUND), file.toString());
        if (!n.isObject()) throw new RecipeException(file + ": a quote policy must be a JSON object");
        if (n.has("tdx") && n.get("tdx").isObject()) {
            n = n.get("tdx");
        }
        QuotePolicy p = this;
        byte[] mr = hex(n, file, "mrtd", "mr_td");
        if (mr != null) {
            p = p.withMrTd(mr);
        }
        for (int i = 0; i < 4; i++) {
            byte[] r = hex(n, file, "rtmr" + i);
            if (r != null) {
                p = p.withRtmr(i, r);
            }
        }
        byte[] rd = hex(n, file, "report_data", "reportdata");
        if (rd != null) {
            p = p.withReportData(rd);
        }
        byte[] x = hex(n, file, "xfam");
        if (x != null) {
            p = p.withXfam(x);
        }
        if (n.has("allow_debug")) {
            p = p.withAllowDebug(n.get("allow_debug").asBoolean());
        }
        return p;
    }

    private static byte[] hex(JsonNode n, Path file, String... keys) {
        for (String k : keys) {
            if (n.hasNonNull(k)) {
                try {
                    return Hex.parse(n.get(k).asText().toLowerCase());
                } catch (IllegalArgumentException e) {
                    throw new RecipeException(file + ": \"" + k + "\" is not hex");
                }
            }
        }
        return null;
    }

    /** Checks the quote; returns the names of the checks made. */
    public List<String> check(Quote quote, QuoteVerification verification) {
        var done = new ArrayList<String>();
        if (verification.status() != null && !acceptedStatuses.contains(verification.status())) {
            throw new QuoteRejectedException("policy", "TCB status " + verification.status() + " is not accepted (accepted: "
                    + acceptedStatuses + ")");
        }
        done.add("tcb-status");
        boolean debug = quote.isTdx() ? quote.tdBody().debug() : quote.sgxBody().debug();
        if (debug && !allowDebug) {
            throw new QuoteRejectedException("policy", (quote.isTdx() ? "TD" : "enclave") + " has DEBUG set and debug is not allowed");
        }
        done.add("debug");
        if (reportData != null) {
            equal("REPORTDATA", quote.reportData(), reportData);
            done.add("report-data");
        }
        if (!quote.isTdx()) {
            if (mrTd != null || xfam != null || Arrays.stream(rtmrs).anyMatch(r -> r != null)) {
                throw new QuoteRejectedException("policy", "MRTD/RTMR/XFAM expectations given but the quote is SGX");
            }
            return done;
        }
        var td = quote.tdBody();
        if (mrTd != null) {
            equal("MRTD", td.mrTd(), mrTd);
            done.add("mrtd");
        }
        for (int i = 0; i < 4; i++) {
            if (rtmrs[i] != null) {
                equal("RTMR" + i, td.rtmr(i), rtmrs[i]);
                done.add("rtmr" + i);
            }
        }
        if (xfam != null) {
            equal("XFAM", td.xfam(), xfam);
            done.add("xfam");
        }
        return done;
    }

    private static void equal(String what, byte[] actual, byte[] expected) {
        if (!Arrays.equals(actual, expected)) {
            throw new QuoteRejectedException("policy", what + " is " + Hex.of(actual) + ", expected " + Hex.of(expected));
        }
    }
}
