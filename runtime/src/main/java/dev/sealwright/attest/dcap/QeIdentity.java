package dev.sealwright.attest.dcap;

import dev.sealwright.base.OneLine;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Intel PCS enclave identity of the quoting enclave ({@code QE} for SGX, {@code TD_QE} for TDX). */
public record QeIdentity(String id, int version, Instant issueDate, Instant nextUpdate, long miscSelect,
                         long miscSelectMask, byte[] attributes, byte[] attributesMask, byte[] mrSigner,
                         int isvProdId, List<TcbInfo.IsvLevel> levels) {

    public static QeIdentity parse(String json, String source) {
        String src = source + " qeIdentity";
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            var levels = new ArrayList<TcbInfo.IsvLevel>();
            for (JsonNode l : TcbInfo.need(n, "tcbLevels", src)) {
                levels.add(TcbInfo.isvLevel(l, src));
            }
            return new QeIdentity(TcbInfo.need(n, "id", src).asText(), n.path("version").asInt(),
                    TcbInfo.instant(n, "issueDate", src), TcbInfo.instant(n, "nextUpdate", src),
                    Long.parseLong(TcbInfo.need(n, "miscselect", src).asText(), 16),
                    Long.parseLong(TcbInfo.need(n, "miscselectMask", src).asText(), 16),
                    TcbInfo.hex(n, "attributes", src), TcbInfo.hex(n, "attributesMask", src),
                    TcbInfo.hex(n, "mrsigner", src), TcbInfo.need(n, "isvprodid", src).asInt(), levels);
        } catch (IOException | NumberFormatException e) {
            throw new RecipeException(src + ": malformed: " + OneLine.jsonProblem(e), e);
        }
    }
}
