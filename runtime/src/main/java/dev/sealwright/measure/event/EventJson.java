package dev.sealwright.measure.event;

import dev.sealwright.base.RecipeException;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON form of events (what {@code eventlog show} prints and {@code measure tdx --eventlog} writes):
 * {@code {"kind":"cc","algorithms":["sha384"],"events":[{"index":1,"register":"RTMR0",
 * "type":"EV_SEPARATOR","digests":{"sha384":"…"},"data":"00000000","description":"…"}]}}.
 * A prediction document ({@code mrtd}, {@code rtmr0}…, {@code events}) is read the same way.
 */
public final class EventJson {
    private EventJson() {}

    public static Map<String, Object> event(LogKind kind, BootEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", e.index());
        m.put("register", kind.registerName(e.index()));
        m.put("type", e.typeName());
        Map<String, String> d = new LinkedHashMap<>();
        e.digests().forEach((alg, v) -> d.put(alg.label(), HexFormat.of().formatHex(v)));
        m.put("digests", d);
        m.put("data", HexFormat.of().formatHex(e.data()));
        m.put("description", e.description());
        return m;
    }

    public static List<Map<String, Object>> events(LogKind kind, List<BootEvent> events) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BootEvent e : events) out.add(event(kind, e));
        return out;
    }

    public static Map<String, Object> log(EventLog log) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", log.kind().label());
        m.put("algorithms", log.algorithms().stream().map(HashAlg::label).toList());
        m.put("events", events(log.kind(), log.events()));
        return m;
    }

    /** Reads the "events" of a JSON document produced by {@link #log} or by a prediction. */
    @SuppressWarnings("unchecked")
    public static EventLog read(Map<String, Object> doc, String source) {
        try {
            LogKind kind = LogKind.byLabel(String.valueOf(doc.getOrDefault("kind", "cc")));
            Object list = doc.get("events");
            if (!(list instanceof List<?> raw)) throw new IllegalArgumentException("no \"events\" array");
            List<BootEvent> events = new ArrayList<>();
            java.util.Set<HashAlg> algs = new java.util.LinkedHashSet<>();
            for (Object o : raw) {
                Map<String, Object> m = (Map<String, Object>) o;
                Map<HashAlg, byte[]> digests = new LinkedHashMap<>();
                ((Map<String, Object>) m.get("digests")).forEach((k, v) -> {
                    HashAlg alg = HashAlg.byLabel(k);
                    algs.add(alg);
                    digests.put(alg, HexFormat.of().parseHex(String.valueOf(v)));
                });
                Object data = m.get("data");
                events.add(new BootEvent(((Number) m.get("index")).longValue(), EventType.parse(String.valueOf(m.get("type"))),
                        digests, data == null ? new byte[0] : HexFormat.of().parseHex(String.valueOf(data)),
                        String.valueOf(m.getOrDefault("description", ""))));
            }
            return EventLog.of(kind, new ArrayList<>(algs), events);
        } catch (RuntimeException e) {
            throw new RecipeException(source + ": not an event list in sealwright JSON form: " + e.getMessage());
        }
    }
}
