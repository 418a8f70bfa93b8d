package dev.sealwright.measure.event;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Register values after replaying events: RTMR0..3 (CC log) or PCR0..23 (TPM log) in one bank.
 * Extend rule: {@code new = H(old || digest)}, registers start at zero; a TPM "StartupLocality"
 * EV_NO_ACTION event sets PCR0's initial last byte to the locality.
 */
public final class Registers {
    private static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final LogKind kind;
    private final HashAlg alg;
    private final byte[][] values;

    private Registers(LogKind kind, HashAlg alg, byte[][] values) {
        this.kind = kind;
        this.alg = alg;
        this.values = values;
    }

    public static Registers zero(LogKind kind, HashAlg alg) {
        byte[][] v = new byte[kind.registers()][];
        for (int i = 0; i < v.length; i++) v[i] = new byte[alg.size()];
        return new Registers(kind, alg, v);
    }

    /** Replays every extended event; an event with no digest in {@code alg} or an index outside the registers is an error. */
    public static Registers replay(LogKind kind, List<BootEvent> events, HashAlg alg) {
        Registers r = zero(kind, alg);
        int n = 0;
        for (BootEvent e : events) {
            n++;
            if (!e.extended()) {
                byte[] d = e.data();
                if (kind == LogKind.TPM_EVENT_LOG && e.index() == 0 && d.length == 17
                        && Arrays.equals(Arrays.copyOf(d, 16), STARTUP_LOCALITY))
                    r.values[0][alg.size() - 1] = d[16];
                continue;
            }
            int slot = kind.slot(e.index());
            if (slot < 0) throw new IllegalArgumentException("event " + n + " (" + e.typeName() + ") extends " + kind.registerName(e.index()) + ", which cannot be extended");
            byte[] digest = e.digests().get(alg);
            if (digest == null) throw new IllegalArgumentException("event " + n + " (" + e.typeName() + ") has no " + alg.label() + " digest");
            r.values[slot] = alg.digest(r.values[slot], digest);
        }
        return r;
    }

    public static Registers replay(EventLog log, HashAlg alg) {
        return replay(log.kind(), log.events(), alg);
    }

    public LogKind kind() {
        return kind;
    }

    public HashAlg alg() {
        return alg;
    }

    public int count() {
        return values.length;
    }

    public byte[] value(int slot) {
        return values[slot].clone();
    }

    public String hex(int slot) {
        return HexFormat.of().formatHex(values[slot]);
    }

    /** JSON-style key of a slot: rtmr0..rtmr3 or pcr0..pcr23. */
    public String key(int slot) {
        return (kind == LogKind.CC_EVENT_LOG ? "rtmr" : "pcr") + slot;
    }
}
