package dev.sealwright.measure.event;

import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured boot event, as logged by firmware or as predicted: the index field (CC MR index or
 * PCR index, see {@link LogKind}), the event type, one digest per hash algorithm, the event data
 * and a human description. Logs and predictions share this model, so comparing them is direct.
 */
public final class BootEvent {
    private final long index;
    private final long type;
    private final Map<HashAlg, byte[]> digests;
    private final byte[] data;
    private final String description;

    public BootEvent(long index, long type, Map<HashAlg, byte[]> digests, byte[] data, String description) {
        this.index = index;
        this.type = type;
        Map<HashAlg, byte[]> copy = new LinkedHashMap<>();
        digests.forEach((alg, d) -> {
            if (d.length != alg.size())
                throw new IllegalArgumentException(alg.label() + " digest must be " + alg.size() + " bytes, not " + d.length);
            copy.put(alg, d.clone());
        });
        this.digests = Collections.unmodifiableMap(copy);
        this.data = data.clone();
        this.description = description == null ? "" : description;
    }

    /** An event whose digests are the hashes of {@code measured} in each bank. */
    public static BootEvent measuring(long index, long type, byte[] measured, byte[] data, String description, HashAlg... banks) {
        Map<HashAlg, byte[]> d = new LinkedHashMap<>();
        for (HashAlg alg : banks) d.put(alg, alg.digest(measured));
        return new BootEvent(index, type, d, data, description);
    }

    public long index() {
        return index;
    }

    public long type() {
        return type;
    }

    public String typeName() {
        return EventType.name(type);
    }

    /** The digests in log order; do not modify the arrays. */
    public Map<HashAlg, byte[]> digests() {
        return digests;
    }

    public byte[] digest(HashAlg alg) {
        byte[] d = digests.get(alg);
        return d == null ? null : d.clone();
    }

    public String digestHex(HashAlg alg) {
        byte[] d = digests.get(alg);
        return d == null ? null : HexFormat.of().formatHex(d);
    }

    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    public String description() {
        return description;
    }

    /** True for EV_NO_ACTION, which is logged but never extended. */
    public boolean extended() {
        return type != EventType.EV_NO_ACTION;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BootEvent e)) return false;
        if (index != e.index || type != e.type || !Arrays.equals(data, e.data) || !description.equals(e.description)) return false;
        if (!digests.keySet().equals(e.digests.keySet())) return false;
        for (Map.Entry<HashAlg, byte[]> d : digests.entrySet())
            if (!Arrays.equals(d.getValue(), e.digests.get(d.getKey()))) return false;
        return true;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(type) * 17 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "BootEvent[" + index + ", " + typeName() + ", " + description + "]";
    }
}
