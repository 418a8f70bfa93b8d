package dev.sealwright.measure.event;

import java.util.List;

/**
 * A parsed TCG2 crypto-agile event log (TPM event log or TDX CCEL): its kind, the hash banks its
 * Spec ID header declares, the header event itself (kept for byte-exact rewriting) and the events
 * that follow, in log order (EV_NO_ACTION ones included).
 */
public record EventLog(LogKind kind, List<HashAlg> algorithms, BootEvent header, List<BootEvent> events) {
    public EventLog {
        algorithms = List.copyOf(algorithms);
        events = List.copyOf(events);
    }

    /** A log for predicted events, with a standard "Spec ID Event03" header for {@code algorithms}. */
    public static EventLog of(LogKind kind, List<HashAlg> algorithms, List<BootEvent> events) {
        return new EventLog(kind, algorithms, SpecIdEvent.header(kind, algorithms), events);
    }
}
