package dev.sealwright.measure.event;

import dev.sealwright.base.RecipeException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary TCG2 crypto-agile event log (TCG PC Client PFP spec §10.2), as firmware writes it to the
 * TPM log and to the TDX CCEL: one {@code TCG_PCR_EVENT} header carrying the Spec ID event, then
 * {@code TCG_PCR_EVENT2} records. Reading stops at the end of the data or at the unused tail
 * (all-0xFF or all-zero record headers, as the CCEL area is padded).
 */
public final class Tcg2EventLogCodec {
    private Tcg2EventLogCodec() {}

    /**
     * Parses {@code bytes}; {@code source} names the file in errors. The kind is taken from the
     * header's index field (1 = CCEL as written by TDVF, 0 = TPM), unless {@code kind} is given.
     */
    public static EventLog read(byte[] bytes, String source, LogKind kind) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (bytes.length < 32) throw new IllegalArgumentException("only " + bytes.length + " bytes, too short for an event log header");
            long headerIndex = Integer.toUnsignedLong(b.getInt());
            long headerType = Integer.toUnsignedLong(b.getInt());
            byte[] sha1 = new byte[20];
            b.get(sha1);
            if (headerType != EventType.EV_NO_ACTION)
                throw new IllegalArgumentException("the first event has type " + EventType.name(headerType) + ", not EV_NO_ACTION (not a TCG2 log)");
            byte[] headerData = bytesAt(b, "header event");
            List<int[]> declared = SpecIdEvent.algorithms(headerData);
            List<HashAlg> algs = new ArrayList<>();
            Map<Integer, Integer> sizes = new LinkedHashMap<>();
            for (int[] d : declared) {
                HashAlg alg = HashAlg.byId(d[0]);
                if (alg == null) throw new IllegalArgumentException(String.format("the header declares hash algorithm 0x%04x, which this build does not support", d[0]));
                if (alg.size() != d[1]) throw new IllegalArgumentException("the header declares " + alg.label() + " with " + d[1] + "-byte digests");
                algs.add(alg);
                sizes.put(d[0], d[1]);
            }
            LogKind k = kind != null ? kind : headerIndex == 0 ? LogKind.TPM_EVENT_LOG : LogKind.CC_EVENT_LOG;
            BootEvent header = new BootEvent(headerIndex, headerType, Map.of(HashAlg.SHA1, sha1), headerData,
                    EventDescriptions.describe(headerType, headerData));
            List<BootEvent> events = new ArrayList<>();
            while (b.remaining() >= 8) {
                int start = b.position();
                long index = Integer.toUnsignedLong(b.getInt());
                long type = Integer.toUnsignedLong(b.getInt());
                if ((index == 0xFFFFFFFFL && type == 0xFFFFFFFFL) || (index == 0 && type == 0)) {
                    b.position(start);
                    break;
                }
                try {
                    events.add(readEvent(b, index, type, algs));
                } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                    throw new IllegalArgumentException("event " + (events.size() + 1) + " at byte " + start + ": "
                            + (e.getMessage() == null ? "truncated" : e.getMessage()));
                }
            }
            checkTail(bytes, b.position());
            return new EventLog(k, algs, header, events);
        } catch (java.nio.BufferUnderflowException e) {
            throw new RecipeException(source + ": not a TCG2 event log: truncated header");
        } catch (IllegalArgumentException e) {
            throw new RecipeException(source + ": not a valid TCG2 event log: " + e.getMessage());
        }
    }

    private static BootEvent readEvent(ByteBuffer b, long index, long type, List<HashAlg> declared) {
        long count = Integer.toUnsignedLong(b.getInt());
        if (count == 0 || count > 8) throw new IllegalArgumentException("digest count " + count + " (corrupt record)");
        Map<HashAlg, byte[]> digests = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int id = Short.toUnsignedInt(b.getShort());
            HashAlg alg = HashAlg.byId(id);
            if (alg == null || !declared.contains(alg))
                throw new IllegalArgumentException(String.format("digest algorithm 0x%04x not declared in the header", id));
            if (digests.containsKey(alg)) throw new IllegalArgumentException("two " + alg.label() + " digests in one event");
            byte[] d = new byte[alg.size()];
            b.get(d);
            digests.put(alg, d);
        }
        byte[] data = bytesAt(b, "event data");
        return new BootEvent(index, type, digests, data, EventDescriptions.describe(type, data));
    }

    private static byte[] bytesAt(ByteBuffer b, String what) {
        long size = Integer.toUnsignedLong(b.getInt());
        if (size > b.remaining()) throw new IllegalArgumentException(what + " of " + size + " bytes runs past the end (" + b.remaining() + " left)");
        byte[] data = new byte[(int) size];
        b.get(data);
        return data;
    }

    /** After the last event only padding (one fill byte, 0xFF or 0x00) may follow. */
    private static void checkTail(byte[] bytes, int end) {
        if (end >= bytes.length) return;
        byte fill = bytes[end];
        for (int i = end; i < bytes.length; i++)
            if (bytes[i] != fill || (fill != 0 && fill != (byte) 0xFF))
                throw new IllegalArgumentException("unparseable bytes at " + end + " after the last event (" + (bytes.length - end) + " bytes)");
    }

    /** Serialises the log exactly as firmware lays it out (no padding). */
    public static byte[] write(EventLog log) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BootEvent h = log.header();
        putInt(out, h.index());
        putInt(out, h.type());
        byte[] sha1 = h.digest(HashAlg.SHA1);
        out.writeBytes(sha1 != null ? sha1 : new byte[20]);
        putInt(out, h.dataLength());
        out.writeBytes(h.data());
        for (BootEvent e : log.events()) {
            putInt(out, e.index());
            putInt(out, e.type());
            putInt(out, e.digests().size());
            e.digests().forEach((alg, d) -> {
                if (!log.algorithms().contains(alg))
                    throw new IllegalArgumentException(alg.label() + " digest in an event but not in the log header");
                out.write(alg.id() & 0xFF);
                out.write(alg.id() >>> 8);
                out.writeBytes(d);
            });
            putInt(out, e.dataLength());
            out.writeBytes(e.data());
        }
        return out.toByteArray();
    }

    private static void putInt(ByteArrayOutputStream out, long v) {
        out.write((int) v);
        out.write((int) (v >>> 8));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 24));
    }
}
