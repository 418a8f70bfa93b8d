package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.event.EventJson;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.LogKind;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON document of a prediction: {@code sha256} and {@code sha384} map each computed PCR ("0".."15")
 * to its hex value (the shape {@code tpm seal --pcr-values} reads); {@code missing} gives the reasons
 * for the PCRs left out; {@code kind}/{@code algorithms}/{@code events} are the event list in the form
 * {@link EventJson} reads, so the file can be diffed against a real log.
 */
public final class VtpmPredictionJson {
    private VtpmPredictionJson() {}

    public static Map<String, Object> document(VtpmPrediction p) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (HashAlg alg : TpmBootEvents.BANKS) {
            Map<String, String> bank = new LinkedHashMap<>();
            for (int i = 0; i < VtpmPrediction.PCRS; i++) {
                String v = p.pcrHex(i, alg);
                if (v != null) bank.put(String.valueOf(i), v);
            }
            m.put(alg.label(), bank);
        }
        Map<String, List<String>> missing = new LinkedHashMap<>();
        p.missing().forEach((pcr, why) -> {
            if (!why.isEmpty()) missing.put(String.valueOf(pcr), why);
        });
        m.put("missing", missing);
        m.put("kind", LogKind.TPM_EVENT_LOG.label());
        m.put("algorithms", TpmBootEvents.BANKS.stream().map(HashAlg::label).toList());
        m.put("events", EventJson.events(LogKind.TPM_EVENT_LOG, p.events()));
        return m;
    }
}
