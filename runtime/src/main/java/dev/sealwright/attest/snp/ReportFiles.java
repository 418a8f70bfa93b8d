package dev.sealwright.attest.snp;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.snp.SnpSignature;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Reads an SNP report in the forms tools write it: raw 1184 bytes (snpguest, go-sev-guest,
 * /dev/sev-guest), hex text (virtee/sev test data), or the serde JSON of the {@code sev} crate's
 * AttestationReport (SNPGuard's attestation server).
 */
public final class ReportFiles {
    private ReportFiles() {}

    /** A report file: 1184 bytes raw, about 2.4 KiB as hex, some 10 KiB as sev-crate JSON. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("an SNP attestation report (raw, hex or JSON)", 64 << 10);

    /** The report's bytes exactly as signed, checked to parse as a report. */
    public static byte[] read(Path file) {
        byte[] raw = decode(file);
        try {
            AttestationReport.read(raw);
        } catch (RecipeException e) {
            throw new RecipeException(file + ": " + e.getMessage(), e);
        }
        return raw;
    }

    private static byte[] decode(Path file) {
        byte[] data = InputFiles.read(file, FILE_BOUND);
        if (data.length == AttestationReport.SIZE) return data;
        String text = new String(data, StandardCharsets.ISO_8859_1).strip();
        try {
            if (text.startsWith("{")) return fromSevJson(Json.tree(data, file.toString())).toBytes();
            String hex = text.startsWith("0x") ? text.substring(2) : text;
            if (hex.matches("[0-9a-fA-F\\s]+")) {
                byte[] bytes = HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
                if (bytes.length == AttestationReport.SIZE) return bytes;
                throw new RecipeException(file + ": hex text decodes to " + bytes.length + " bytes, an SNP report is 1184");
            }
        } catch (IllegalArgumentException e) {
            throw new RecipeException(file + ": not an SNP report (binary, hex or JSON): " + e.getMessage(), e);
        } catch (RecipeException e) {
            if (e.getMessage().startsWith(file.toString())) throw e;
            throw new RecipeException(file + ": " + e.getMessage(), e);
        }
        throw new RecipeException(file + ": " + data.length + " bytes is not an SNP report (1184 bytes binary, hex text, or sev-crate JSON)");
    }

    /** The sev crate's serde form: byte arrays as JSON arrays, TCBs as objects, signature r/s as 72-byte LE arrays. */
    static AttestationReport fromSevJson(JsonNode j) {
        byte[] reserved1 = bytes(j, "_reserved_1", 24);
        byte[] reserved4 = bytes(j, "_reserved_4", 168);
        for (int i = 3; i < reserved1.length; i++) if (reserved1[i] != 0) throw new RecipeException("JSON report: _reserved_1 holds non-zero bytes");
        for (int i = 16; i < reserved4.length; i++) if (reserved4[i] != 0) throw new RecipeException("JSON report: _reserved_4 holds non-zero bytes");
        JsonNode sig = need(j, "signature");
        int keyInfo = need(j, "_author_key_en").asInt(); // the whole key-info word at 0x48 in the sev crate's struct
        return new AttestationReport(need(j, "version").asInt(), need(j, "guest_svn").asInt(), need(j, "policy").asLong(),
                bytes(j, "family_id", 16), bytes(j, "image_id", 16), need(j, "vmpl").asInt(), need(j, "sig_algo").asInt(),
                tcb(need(j, "current_tcb")), need(j, "plat_info").asLong(), keyInfo, bytes(j, "report_data", 64),
                bytes(j, "measurement", 48), bytes(j, "host_data", 32), bytes(j, "id_key_digest", 48), bytes(j, "author_key_digest", 48),
                bytes(j, "report_id", 32), bytes(j, "report_id_ma", 32), tcb(need(j, "reported_tcb")),
                reserved1[0] & 0xFF, reserved1[1] & 0xFF, reserved1[2] & 0xFF, bytes(j, "chip_id", 64), tcb(need(j, "committed_tcb")),
                need(j, "current_build").asInt(), need(j, "current_minor").asInt(), need(j, "current_major").asInt(),
                need(j, "committed_build").asInt(), need(j, "committed_minor").asInt(), need(j, "committed_major").asInt(),
                tcb(need(j, "launch_tcb")), le64(reserved4, 0), le64(reserved4, 8),
                new SnpSignature(le(bytes(sig, "r", 72)), le(bytes(sig, "s", 72))));
    }

    /** Milan/Genoa layout {bootloader, tee, _reserved[4], snp, microcode}. */
    private static long tcb(JsonNode t) {
        long raw = (need(t, "bootloader").asLong() & 0xFF) | (need(t, "tee").asLong() & 0xFF) << 8;
        JsonNode res = t.path("_reserved");
        for (int i = 0; i < 4 && i < res.size(); i++) raw |= (res.get(i).asLong() & 0xFF) << (8 * (2 + i));
        return raw | (need(t, "snp").asLong() & 0xFF) << 48 | (need(t, "microcode").asLong() & 0xFF) << 56;
    }

    private static JsonNode need(JsonNode j, String field) {
        JsonNode n = j.get(field);
        if (n == null || n.isNull()) throw new RecipeException("JSON report: missing field '" + field + "'");
        return n;
    }

    private static byte[] bytes(JsonNode j, String field, int len) {
        JsonNode a = need(j, field);
        if (!a.isArray() || a.size() != len) throw new RecipeException("JSON report: '" + field + "' must be an array of " + len + " bytes");
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) out[i] = (byte) a.get(i).asInt();
        return out;
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[off + i] & 0xFF);
        return v;
    }

    private static BigInteger le(byte[] b) {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) be[i] = b[b.length - 1 - i];
        return new BigInteger(1, be);
    }
}
