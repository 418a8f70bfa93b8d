package dev.sealwright.measure.event;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code TCG_EfiSpecIDEvent} ("Spec ID Event03") carried by the first, SHA-1-format record of
 * a crypto-agile log; it lists the hash banks and their digest sizes.
 */
public final class SpecIdEvent {
    static final byte[] SIGNATURE = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);

    private SpecIdEvent() {}

    /** The header event for a new log: index 1 (CCEL, as edk2 TdTcg2Dxe writes it) or 0 (TPM). */
    static BootEvent header(LogKind kind, List<HashAlg> algorithms) {
        ByteBuffer b = ByteBuffer.allocate(16 + 4 + 4 + 4 + 4 * algorithms.size() + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SIGNATURE).putInt(0).put((byte) 0).put((byte) 2).put((byte) 0).put((byte) 2).putInt(algorithms.size());
        for (HashAlg a : algorithms) b.putShort((short) a.id()).putShort((short) a.size());
        b.put((byte) 0);
        return new BootEvent(kind == LogKind.CC_EVENT_LOG ? 1 : 0, EventType.EV_NO_ACTION,
                Map.of(HashAlg.SHA1, new byte[20]), b.array(), "Spec ID Event03");
    }

    /** Algorithm ids and digest sizes declared by the header data; throws with a reason when malformed. */
    static List<int[]> algorithms(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 29) throw new IllegalArgumentException("the Spec ID event is " + data.length + " bytes, too short");
        byte[] sig = new byte[16];
        b.get(sig);
        if (!java.util.Arrays.equals(sig, SIGNATURE))
            throw new IllegalArgumentException("the first event is not a \"Spec ID Event03\" header (not a crypto-agile TCG2 log)");
        b.position(24);
        long n = Integer.toUnsignedLong(b.getInt());
        if (n == 0 || 28 + 4 * n > data.length)
            throw new IllegalArgumentException("the Spec ID header declares " + n + " algorithms but holds " + data.length + " bytes");
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new int[] {Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort())});
        return out;
    }
}
