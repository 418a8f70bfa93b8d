package dev.sealwright.disk.luks2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON metadata rules cryptsetup enforces on load (lib/luks2/luks2_json_metadata.c
 * LUKS2_hdr_validate and the luks2 keyslot / pbkdf2 digest handlers): mandatory sections and
 * typed fields, numbered object keys, uint64 values as decimal strings, references to existing
 * keyslots/segments, segment alignment and digests, config sizes, and non-overlapping keyslot
 * areas inside the keyslots area. {@link #problem} names the first violation, or returns null.
 */
final class Luks2Validator {
    static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    static final long MAX_KEYSLOTS_SIZE = 128L << 20;
    static final int MAX_OBJECTS = 32;

    private Luks2Validator() {}

    private static final class Invalid extends RuntimeException {
        Invalid(String m) { super(m, null, false, false); }
    }

    static String problem(ObjectNode root, long metadataSize) {
        try {
            check(root, metadataSize);
            return null;
        } catch (Invalid e) {
            return e.getMessage();
        }
    }

    private static void check(ObjectNode root, long metadataSize) {
        ObjectNode keyslots = section(root, "keyslots");
        ObjectNode tokens = section(root, "tokens");
        ObjectNode segments = section(root, "segments");
        ObjectNode digests = section(root, "digests");
        ObjectNode config = section(root, "config");

        numbered(tokens, "Token");
        for (Map.Entry<String, JsonNode> t : iter(tokens)) {
            ObjectNode tok = object(t.getValue(), "Token \"" + t.getKey() + "\"");
            string(tok, "type", "Token", t.getKey());
            references(array(tok, "keyslots", "Token", t.getKey()), keyslots, "Token \"" + t.getKey() + "\"", "keyslot");
        }
        numbered(digests, "Digest");
        for (Map.Entry<String, JsonNode> d : iter(digests)) {
            ObjectNode dig = object(d.getValue(), "Digest \"" + d.getKey() + "\"");
            string(dig, "type", "Digest", d.getKey());
            references(array(dig, "keyslots", "Digest", d.getKey()), keyslots, "Digest \"" + d.getKey() + "\"", "keyslot");
            references(array(dig, "segments", "Digest", d.getKey()), segments, "Digest \"" + d.getKey() + "\"", "segment");
            if (string(dig, "type", "Digest", d.getKey()).equals("pbkdf2")) {
                hashName(string(dig, "hash", "Digest", d.getKey()), "Digest \"" + d.getKey() + "\"");
                uint32(dig, "iterations", "Digest", d.getKey());
                base64(string(dig, "salt", "Digest", d.getKey()), "Digest \"" + d.getKey() + "\" salt");
                base64(string(dig, "digest", "Digest", d.getKey()), "Digest \"" + d.getKey() + "\" digest");
            }
        }
        if (segments.isEmpty()) throw new Invalid("empty segments section");
        numbered(segments, "Segment");
        int firstBackup = -1;
        for (Map.Entry<String, JsonNode> s : iter(segments)) {
            String k = s.getKey();
            ObjectNode seg = object(s.getValue(), "Segment \"" + k + "\"");
            String type = string(seg, "type", "Segment", k);
            long offset = uint64(string(seg, "offset", "Segment", k), "Segment \"" + k + "\" offset");
            String sizeText = string(seg, "size", "Segment", k);
            long size = sizeText.equals("dynamic") ? 0 : uint64(sizeText, "Segment \"" + k + "\" size");
            if (!sizeText.equals("dynamic") && size == 0) throw new Invalid("Segment \"" + k + "\" has size 0");
            if (offset % 512 != 0) throw new Invalid("Segment \"" + k + "\" offset " + Long.toUnsignedString(offset) + " is not aligned to 512 bytes");
            if (Long.remainderUnsigned(size, 512) != 0) throw new Invalid("Segment \"" + k + "\" size " + Long.toUnsignedString(size) + " is not aligned to 512 bytes");
            if (seg.has("flags")) strings(array(seg, "flags", "Segment", k), "Segment \"" + k + "\" flags");
            int i = Integer.parseInt(k);
            if (isBackup(seg)) {
                if (firstBackup < 0 || i < firstBackup) firstBackup = i;
            } else if (firstBackup >= 0 && i >= firstBackup) {
                throw new Invalid("regular segment \"" + k + "\" is behind backup segment \"" + firstBackup + "\"");
            }
            if (type.equals("crypt")) {
                uint64(string(seg, "iv_tweak", "Segment", k), "Segment \"" + k + "\" iv_tweak");
                string(seg, "encryption", "Segment", k);
                long sector = uint32(seg, "sector_size", "Segment", k);
                if (sector == 0 || sector % 512 != 0) throw new Invalid("Segment \"" + k + "\" has illegal sector size " + sector);
                if (Long.remainderUnsigned(size, sector) != 0) throw new Invalid("Segment \"" + k + "\" size is not aligned to its sector size " + sector);
                if (seg.has("integrity")) {
                    ObjectNode integ = object(seg.get("integrity"), "Segment \"" + k + "\" integrity");
                    for (String f : List.of("type", "journal_encryption", "journal_integrity")) string(integ, f, "Segment integrity", k);
                }
                if (!segmentHasDigest(k, digests)) throw new Invalid("Segment \"" + k + "\" is not covered by any digest");
            }
        }
        // as hdr_validate_segments: regular segments are keyed 0..n-1 without gaps, backup segments
        // (reencryption bookkeeping, flag "backup-*") follow them, and only regular ones must not overlap
        int count = segments.size();
        if (firstBackup == 0) throw new Invalid("no regular segment (segment \"0\" is a backup segment)");
        if (firstBackup >= count) throw new Invalid("gap between the last regular segment and backup segment \"" + firstBackup + "\"");
        if (firstBackup < 0) firstBackup = count;
        List<long[]> segmentIntervals = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode seg = segments.get(Integer.toString(i));
            if (seg == null) throw new Invalid("gap at key " + i + " in the segments object");
            if (i >= firstBackup) continue;
            String sizeText = seg.get("size").asText();
            long size = sizeText.equals("dynamic") ? 0 : uint64(sizeText, "size");
            segmentIntervals.add(new long[] {uint64(seg.get("offset").asText(), "offset"), size == 0 ? -1L : size});
        }
        checkSegmentIntervals(segmentIntervals);

        numbered(keyslots, "Keyslot");
        for (Map.Entry<String, JsonNode> e : iter(keyslots)) {
            ObjectNode ks = object(e.getValue(), "Keyslot \"" + e.getKey() + "\"");
            string(ks, "type", "Keyslot", e.getKey());
            uint32(ks, "key_size", "Keyslot", e.getKey());
        }

        long jsonSize = uint64(string(config, "json_size", "Config", "section"), "Config json_size");
        long keyslotsSize = uint64(string(config, "keyslots_size", "Config", "section"), "Config keyslots_size");
        long configMetadata = jsonSize + Luks2Header.BINARY_SIZE;
        if (jsonSize != metadataSize - Luks2Header.BINARY_SIZE) throw new Invalid("config.json_size " + jsonSize + " does not match the binary header size " + metadataSize);
        if (!Luks2Header.METADATA_SIZES.contains(configMetadata)) throw new Invalid("unsupported LUKS2 header size " + Long.toUnsignedString(configMetadata) + " in config.json_size");
        if (keyslotsSize % 4096 != 0 || Long.compareUnsigned(keyslotsSize, MAX_KEYSLOTS_SIZE) > 0)
            throw new Invalid("unsupported keyslots_size " + Long.toUnsignedString(keyslotsSize) + " (must be 4096-aligned and at most 128 MiB)");
        long firstData = firstCryptOffset(segments);
        if (firstData != 0 && (Long.compareUnsigned(firstData, keyslotsSize) < 0 || firstData - keyslotsSize < 2 * configMetadata))
            throw new Invalid("keyslots_size " + keyslotsSize + " is too large: data offset " + firstData + ", keyslots start at " + 2 * configMetadata);
        if (config.has("flags")) strings(array(config, "flags", "Config", "section"), "Config flags");
        if (config.has("requirements")) {
            ObjectNode req = object(config.get("requirements"), "Config requirements");
            if (req.has("mandatory")) strings(array(req, "mandatory", "Requirements", "section"), "Requirements mandatory");
        }

        List<long[]> areas = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : iter(keyslots)) {
            ObjectNode area = object(e.getValue().get("area"), "Keyslot \"" + e.getKey() + "\" area");
            long off = uint64(string(area, "offset", "Keyslot", e.getKey()), "Keyslot \"" + e.getKey() + "\" area offset");
            long len = uint64(string(area, "size", "Keyslot", e.getKey()), "Keyslot \"" + e.getKey() + "\" area size");
            areas.add(new long[] {off, len});
        }
        long areaEnd = 2 * configMetadata + keyslotsSize;
        for (int i = 0; i < areas.size(); i++) {
            long[] a = areas.get(i);
            if (Long.compareUnsigned(a[0], 2 * configMetadata) < 0) throw new Invalid("illegal keyslot area offset " + Long.toUnsignedString(a[0]) + " (inside the metadata)");
            if (a[1] == 0) throw new Invalid("keyslot area length must be greater than zero");
            if (a[0] + a[1] < a[0] || Long.compareUnsigned(a[0] + a[1], areaEnd) > 0)
                throw new Invalid("keyslot area [" + Long.toUnsignedString(a[0]) + ", " + Long.toUnsignedString(a[0] + a[1]) + "] overflows the keyslots area (ends at " + areaEnd + ")");
            for (int j = 0; j < areas.size(); j++) {
                long[] b = areas.get(j);
                if (i != j && Long.compareUnsigned(a[0], b[0]) >= 0 && Long.compareUnsigned(a[0], b[0] + b[1]) < 0)
                    throw new Invalid("overlapping keyslot areas [" + a[0] + "," + (a[0] + a[1]) + "] and [" + b[0] + "," + (b[0] + b[1]) + "]");
            }
        }

        if (root.toString().getBytes(StandardCharsets.UTF_8).length >= jsonSize) throw new Invalid("JSON does not fit in the designated area");

        for (Map.Entry<String, JsonNode> e : iter(keyslots)) {
            ObjectNode ks = (ObjectNode) e.getValue();
            if (!ks.get("type").asText().equals("luks2")) continue;
            luks2Keyslot(ks, e.getKey());
            int assigned = 0;
            for (Map.Entry<String, JsonNode> d : iter(digests))
                for (JsonNode r : d.getValue().get("keyslots")) if (r.asText().equals(e.getKey())) assigned++;
            if (assigned != 1) throw new Invalid("Keyslot \"" + e.getKey() + "\" is assigned to " + assigned + " digests, not exactly 1");
        }
    }

    private static void luks2Keyslot(ObjectNode ks, String key) {
        String where = "Keyslot \"" + key + "\"";
        ObjectNode kdf = object(ks.get("kdf"), where + " kdf");
        String type = string(kdf, "type", "Keyslot kdf", key);
        // as luks2_keyslot_validate: exactly the fields of a known type; other types (e.g. the
        // pre-release "argon2") are accepted here and refused only when the keyslot is used
        switch (type) {
            case "pbkdf2" -> {
                if (kdf.size() != 4) throw new Invalid(where + " kdf pbkdf2 must have exactly type, salt, hash and iterations");
                hashName(string(kdf, "hash", "Keyslot kdf", key), where + " kdf");
                uint32(kdf, "iterations", "Keyslot kdf", key);
            }
            case "argon2i", "argon2id" -> {
                if (kdf.size() != 5) throw new Invalid(where + " kdf " + type + " must have exactly type, salt, time, memory and cpus");
                uint32(kdf, "time", "Keyslot kdf", key);
                uint32(kdf, "memory", "Keyslot kdf", key);
                uint32(kdf, "cpus", "Keyslot kdf", key);
            }
            default -> { }
        }
        base64(string(kdf, "salt", "Keyslot kdf", key), where + " kdf salt");
        ObjectNode af = object(ks.get("af"), where + " af");
        if (!string(af, "type", "Keyslot af", key).equals("luks1")) throw new Invalid(where + " has unknown af type \"" + af.get("type").asText() + "\"");
        hashName(string(af, "hash", "Keyslot af", key), where + " af");
        uint32(af, "stripes", "Keyslot af", key);
        ObjectNode area = object(ks.get("area"), where + " area");
        if (!string(area, "type", "Keyslot area", key).equals("raw")) throw new Invalid(where + " has unknown area type \"" + area.get("type").asText() + "\"");
        string(area, "encryption", "Keyslot area", key);
        uint32(area, "key_size", "Keyslot area", key);
        if (ks.has("priority")) {
            long p = uint32(ks, "priority", "Keyslot", key);
            if (p > 2) throw new Invalid(where + " has illegal priority " + p);
        }
    }

    /**
     * cryptsetup's in-memory repair on load (LUKS2_hdr_repair → luks2_keyslot_repair): a luks2
     * keyslot's kdf keeps only the fields of its type, dropping parameters an old cryptsetup
     * (< 2.0.3) left behind when the kdf type changed. Returns whether anything was dropped.
     */
    static boolean repairKdfLeftovers(ObjectNode root) {
        if (!(root.get("keyslots") instanceof ObjectNode keyslots)) return false;
        boolean changed = false;
        for (Map.Entry<String, JsonNode> e : iter(keyslots)) {
            if (!(e.getValue() instanceof ObjectNode ks) || !ks.path("type").asText().equals("luks2")) continue;
            if (!(ks.get("kdf") instanceof ObjectNode kdf) || !kdf.path("type").isTextual()) continue;
            List<String> keep = switch (kdf.get("type").asText()) {
                case "pbkdf2" -> List.of("type", "salt", "hash", "iterations");
                case "argon2i", "argon2id" -> List.of("type", "salt", "time", "memory", "cpus");
                default -> null;
            };
            if (keep == null) continue;
            int before = kdf.size();
            kdf.retain(keep);
            changed |= kdf.size() != before;
        }
        return changed;
    }

    private static boolean isBackup(ObjectNode seg) {
        JsonNode flags = seg.get("flags");
        if (flags == null) return false;
        for (JsonNode f : flags) if (f.isTextual() && f.asText().startsWith("backup-")) return true;
        return false;
    }

    /** validate_segment_intervals: a length of 2^64-1 stands for "dynamic", which only the last segment may be. */
    private static void checkSegmentIntervals(List<long[]> segs) {
        for (int i = 0; i < segs.size(); i++) {
            long[] a = segs.get(i);
            if (a[1] == -1L && i != segs.size() - 1) throw new Invalid("only the last regular segment may have dynamic size (segment \"" + i + "\" has it)");
            for (int j = 0; j < segs.size(); j++) {
                if (i == j) continue;
                long[] b = segs.get(j);
                if (b[1] != -1L && Long.compareUnsigned(b[0], -1L - b[1]) > 0) throw new Invalid("segment \"" + j + "\" offset + size overflows 2^64");
                if (Long.compareUnsigned(a[0], b[0]) >= 0 && (b[1] == -1L || Long.compareUnsigned(a[0], b[0] + b[1]) < 0))
                    throw new Invalid("overlapping segments \"" + i + "\" and \"" + j + "\" at offsets " + Long.toUnsignedString(a[0]) + " and " + Long.toUnsignedString(b[0]));
            }
        }
    }

    private static long firstCryptOffset(ObjectNode segments) {
        long min = -1; // unsigned max
        for (Map.Entry<String, JsonNode> s : iter(segments)) {
            if (!s.getValue().get("type").asText().equals("crypt")) continue;
            long off = uint64(s.getValue().get("offset").asText(), "offset");
            if (off == 0) return 0;
            if (Long.compareUnsigned(off, min) < 0) min = off;
        }
        return min == -1 ? 0 : min;
    }

    private static boolean segmentHasDigest(String segment, ObjectNode digests) {
        for (Map.Entry<String, JsonNode> d : iter(digests))
            for (JsonNode s : d.getValue().get("segments")) if (s.asText().equals(segment)) return true;
        return false;
    }

    private static ObjectNode section(ObjectNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null) throw new Invalid("missing " + name + " section");
        if (!n.isObject()) throw new Invalid(name + " section is not an object");
        return (ObjectNode) n;
    }

    private static void numbered(ObjectNode section, String what) {
        if (section.size() > MAX_OBJECTS && !what.equals("Digest")) throw new Invalid("more than " + MAX_OBJECTS + " " + what.toLowerCase() + "s");
        for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.isEmpty() || !k.chars().allMatch(c -> c >= '0' && c <= '9') || k.length() > 9)
                throw new Invalid(what + " \"" + k + "\" is not in numbered form");
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> iter(ObjectNode n) {
        return n::fields;
    }

    private static ObjectNode object(JsonNode n, String what) {
        if (n == null) throw new Invalid(what + " is missing");
        if (!n.isObject()) throw new Invalid(what + " is not an object");
        return (ObjectNode) n;
    }

    private static String string(ObjectNode n, String field, String section, String name) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new Invalid(section + " \"" + name + "\" is missing \"" + field + "\" (string) specification");
        if (v.asText().isEmpty()) throw new Invalid(section + " \"" + name + "\" has an empty \"" + field + "\" string");
        return v.asText();
    }

    private static ArrayNode array(ObjectNode n, String field, String section, String name) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) throw new Invalid(section + " \"" + name + "\" is missing \"" + field + "\" (array) specification");
        return (ArrayNode) v;
    }

    private static long uint32(ObjectNode n, String field, String section, String name) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber()) throw new Invalid(section + " \"" + name + "\" is missing \"" + field + "\" (int) specification");
        BigInteger b = v.bigIntegerValue();
        if (b.signum() < 0 || b.bitLength() > 32) throw new Invalid(section + " \"" + name + "\" has illegal \"" + field + "\" value " + b);
        return b.longValue();
    }

    /** A uint64 as cryptsetup's strtoull on a "numbered" string; returned as a (possibly unsigned) long. */
    static long uint64(String s, String what) {
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) throw new Invalid(what + " \"" + s + "\" is not a decimal number");
        BigInteger b = new BigInteger(s);
        if (b.compareTo(UINT64_MAX) > 0) throw new Invalid(what + " " + s + " is out of range (> 2^64-1)");
        return b.longValue();
    }

    private static void references(ArrayNode arr, ObjectNode section, String owner, String kind) {
        for (int i = 0; i < arr.size(); i++) {
            JsonNode v = arr.get(i);
            if (!v.isTextual()) throw new Invalid(owner + ": illegal value type in " + kind + "s array at index " + i);
            if (!(section.get(v.asText()) instanceof ObjectNode)) throw new Invalid(owner + " references missing " + kind + " \"" + v.asText() + "\"");
        }
    }

    private static void strings(ArrayNode arr, String what) {
        for (JsonNode v : arr) if (!v.isTextual()) throw new Invalid(what + " contains a non-string value");
    }

    private static void hashName(String h, String what) {
        if (!Luks2Kdf.supportedHash(h)) throw new Invalid(what + " uses unsupported hash \"" + h + "\"");
    }

    private static void base64(String s, String what) {
        try {
            Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new Invalid(what + " is not valid base64");
        }
    }
}
