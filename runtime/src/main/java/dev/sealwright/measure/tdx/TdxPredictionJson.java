package dev.sealwright.measure.tdx;

import dev.sealwright.base.Json;
import dev.sealwright.measure.event.EventJson;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.vm.VmSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON document of a prediction: {@code profile}, {@code mrtd}, {@code rtmr0}..{@code rtmr3} (null when
 * not computable, with the reasons under {@code missing}), {@code kind}/{@code algorithms}/{@code events}
 * in the event-list form {@link EventJson} reads, so the file can be diffed against a real log. Keys are snake_case
 * (schema docs/schemas/measure-tdx.schema.json).
 */
public final class TdxPredictionJson {
    private TdxPredictionJson() {}

    public static Map<String, Object> document(TdxPrediction p, TdxProfile profile) {
        return document(p, profile, null);
    }

    /** With {@code vm}: the VmSpec the prediction describes, under {@code vm} in its one JSON form, launch's vm.json (omitted when null). */
    public static Map<String, Object> document(TdxPrediction p, TdxProfile profile, VmSpec vm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("profile", profile.name());
        if (vm != null) m.put("vm", Json.MAPPER.convertValue(vm, Map.class));
        m.put("mrtd", p.mrtdHex());
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            m.put("rtmr" + i, p.rtmrHex(i));
            if (!p.missing().get(i).isEmpty()) missing.put("rtmr" + i, p.missing().get(i));
        }
        m.put("missing", missing);
        m.put("kind", LogKind.CC_EVENT_LOG.label());
        m.put("algorithms", List.of("sha384"));
        m.put("events", EventJson.events(LogKind.CC_EVENT_LOG, p.events()));
        return m;
    }
}
