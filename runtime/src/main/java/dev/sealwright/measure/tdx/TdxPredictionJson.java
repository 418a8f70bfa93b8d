package dev.sealwright.measure.tdx;

import dev.sealwright.base.Json;
import dev.sealwright.measure.event.EventJson;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.vm.VmSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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

    /** With {@code vm}: the VmSpec the prediction describes, under {@code vm} (omitted when null). */
    public static Map<String, Object> document(TdxPrediction p, TdxProfile profile, VmSpec vm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("profile", profile.name());
        if (vm != null) m.put("vm", snakeCaseKeys(Json.MAPPER.convertValue(vm, Map.class)));
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

    /**
     * The VmSpec as launch's vm.json has it, with the keys in the snake_case of every {@code --json} document
     * ({@code memoryMiB} is {@code memory_mib}, {@code tdx.quoteGenerationSocket} is {@code tdx.quote_generation_socket}).
     */
    private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");   // compiled once, not per key and request

    static Object snakeCaseKeys(Object json) {
        if (json instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k.toString().replace("MiB", "Mib").transform(name -> CAMEL_HUMP.matcher(name).replaceAll("$1_$2")).toLowerCase(Locale.ROOT), snakeCaseKeys(v)));
            return out;
        }
        if (json instanceof List<?> list) return list.stream().map(TdxPredictionJson::snakeCaseKeys).toList();
        return json;
    }
}
