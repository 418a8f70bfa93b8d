package dev.sealwright.measure.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Event-by-event comparison of two event lists (a log and a prediction, or two logs). Events are
 * compared register by register in order, because only the order within a register affects its
 * value (firmware interleaves registers differently across versions). EV_NO_ACTION is ignored.
 * Two events match when type and the digest in the compared bank are equal.
 */
public final class EventDiff {
    /** The first mismatch in one register: position within that register, and the two events (null = missing). */
    public record Difference(LogKind kind, long index, int position, BootEvent left, BootEvent right) {
        public String register() {
            return kind.registerName(index);
        }
    }

    private EventDiff() {}

    public static List<Difference> firstPerRegister(LogKind kind, List<BootEvent> left, List<BootEvent> right, HashAlg alg) {
        Map<Long, List<BootEvent>> a = byIndex(left), b = byIndex(right);
        TreeSet<Long> indices = new TreeSet<>(a.keySet());
        indices.addAll(b.keySet());
        List<Difference> out = new ArrayList<>();
        for (long index : indices) {
            List<BootEvent> x = a.getOrDefault(index, List.of()), y = b.getOrDefault(index, List.of());
            for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
                BootEvent l = i < x.size() ? x.get(i) : null, r = i < y.size() ? y.get(i) : null;
                if (l == null || r == null || !same(l, r, alg)) {
                    out.add(new Difference(kind, index, i, l, r));
                    break;
                }
            }
        }
        return out;
    }

    private static boolean same(BootEvent l, BootEvent r, HashAlg alg) {
        byte[] dl = l.digests().get(alg), dr = r.digests().get(alg);
        return l.type() == r.type() && dl != null && dr != null && Arrays.equals(dl, dr);
    }

    private static Map<Long, List<BootEvent>> byIndex(List<BootEvent> events) {
        Map<Long, List<BootEvent>> m = new LinkedHashMap<>();
        for (BootEvent e : events) if (e.extended()) m.computeIfAbsent(e.index(), k -> new ArrayList<>()).add(e);
        return m;
    }
}
