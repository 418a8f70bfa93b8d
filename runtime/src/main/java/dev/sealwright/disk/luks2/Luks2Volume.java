package dev.sealwright.disk.luks2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.RecipeException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A LUKS2 volume in an image file: format, unlock with a passphrase (or key file bytes), add and
 * remove keyslots, JSON tokens, and sector read/write of the single crypt segment.
 */
public final class Luks2Volume implements Closeable {
    static final int STRIPES = 4000;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String path;
    private final ByteRegion ch;
    private final boolean ownsChannel;
    private final Entropy entropy;
    private Luks2Header header;

    private Luks2Volume(String path, ByteRegion ch, boolean ownsChannel, Luks2Header header, Entropy entropy) {
        this.path = path;
        this.ch = ch;
        this.ownsChannel = ownsChannel;
        this.header = header;
        this.entropy = entropy;
    }

    public static Luks2Volume open(Path image, boolean writable) throws IOException {
        return open(image, writable, Entropy.secure());
    }

    public static Luks2Volume open(Path image, boolean writable, Entropy entropy) throws IOException {
        FileChannel ch = writable ? FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(image, StandardOpenOption.READ);
        try {
            ByteRegion r = ByteRegion.whole(ch);
            return new Luks2Volume(image.toString(), r, true, Luks2Header.read(r, image.toString()), entropy);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /** A volume inside part of a file (a partition); {@code source} names it in errors. The caller closes the channel. */
    public static Luks2Volume open(ByteRegion region, String source, Entropy entropy) throws IOException {
        return new Luks2Volume(source, region, false, Luks2Header.read(region, source), entropy);
    }

    /**
     * Writes a new LUKS2 header with one keyslot (0) for {@code passphrase} at the start of {@code image},
     * which must already be larger than the data offset. Returns the opened volume.
     */
    public static Luks2Volume format(Path image, Luks2FormatOptions o, byte[] passphrase, Entropy entropy) throws IOException {
        FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return format(ByteRegion.whole(ch), true, image.toString(), o, passphrase, entropy);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Formats a region of a file (a partition); the caller closes the channel. */
    public static Luks2Volume format(ByteRegion region, String source, Luks2FormatOptions o, byte[] passphrase, Entropy entropy) throws IOException {
        return format(region, false, source, o, passphrase, entropy);
    }

    private static Luks2Volume format(ByteRegion ch, boolean owns, String image, Luks2FormatOptions o, byte[] passphrase, Entropy entropy) throws IOException {
        {
            if (ch.size() <= o.dataOffset())
                throw new RecipeException(image + ": too small for LUKS2 (" + ch.size() + " bytes; the data starts at " + o.dataOffset() + ")");
            if ((ch.size() - o.dataOffset()) % o.sectorSize() != 0)
                throw new RecipeException(image + ": data area of " + (ch.size() - o.dataOffset()) + " bytes is not a multiple of the " + o.sectorSize() + "-byte sector size");
            if (o.dataOffset() - o.keyslotsSize() < 2 * o.metadataSize())
                throw new RecipeException("LUKS2 layout: keyslots area of " + o.keyslotsSize() + " bytes does not fit between the metadata and the data offset " + o.dataOffset());
            byte[] volumeKey = o.volumeKey() != null ? o.volumeKey() : entropy.bytes(o.keyBits() / 8);
            String uuid = o.uuid() != null ? UUID.fromString(o.uuid()).toString() : uuidFrom(entropy.bytes(16));
            ObjectNode root = F.objectNode();
            root.putObject("keyslots");
            root.putObject("tokens");
            ObjectNode seg = root.putObject("segments").putObject("0");
            seg.put("type", "crypt");
            seg.put("offset", Long.toString(o.dataOffset()));
            seg.put("size", "dynamic");
            seg.put("iv_tweak", "0");
            seg.put("encryption", Luks2FormatOptions.CIPHER);
            seg.put("sector_size", o.sectorSize());
            ObjectNode dig = root.putObject("digests").putObject("0");
            byte[] digestSalt = entropy.bytes(32);
            dig.put("type", "pbkdf2");
            dig.putArray("keyslots");
            dig.putArray("segments").add("0");
            dig.put("hash", "sha256");
            dig.put("iterations", o.digestIterations());
            dig.put("salt", Base64.getEncoder().encodeToString(digestSalt));
            dig.put("digest", Base64.getEncoder().encodeToString(Luks2Kdf.pbkdf2("sha256", volumeKey, digestSalt, o.digestIterations(), 32)));
            ObjectNode config = root.putObject("config");
            config.put("json_size", Long.toString(o.metadataSize() - Luks2Header.BINARY_SIZE));
            config.put("keyslots_size", Long.toString(o.keyslotsSize()));
            Luks2Header h = new Luks2Header(o.metadataSize(), 0, "", "", uuid, root);
            h.setLabel(o.label());
            h.setSubsystem(o.subsystem());
            // the whole metadata + keyslots area starts zeroed, like cryptsetup's wipe
            ch.zero(0, 2 * o.metadataSize() + o.keyslotsSize());
            Luks2Volume v = new Luks2Volume(image, ch, owns, h, entropy);
            v.addKeyslot(volumeKey, passphrase, o.kdf(), 0);
            return v;
        }
    }

    static String uuidFrom(byte[] b) {
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        long msb = 0, lsb = 0;
        for (int i = 0; i < 8; i++) msb = (msb << 8) | (b[i] & 0xff);
        for (int i = 8; i < 16; i++) lsb = (lsb << 8) | (b[i] & 0xff);
        return new UUID(msb, lsb).toString();
    }

    public Luks2Header header() { return header; }
    public String path() { return path; }

    public ObjectNode keyslots() { return (ObjectNode) header.json().get("keyslots"); }
    public ObjectNode tokens() { return (ObjectNode) header.json().get("tokens"); }
    private ObjectNode digests() { return (ObjectNode) header.json().get("digests"); }

    /** The one crypt segment this build handles. */
    public ObjectNode dataSegment() {
        ObjectNode segs = (ObjectNode) header.json().get("segments");
        ObjectNode seg = segs.size() == 1 ? (ObjectNode) segs.elements().next() : null;
        if (seg == null || !seg.get("type").asText().equals("crypt"))
            throw new RecipeException(path + ": not implemented in this build: LUKS2 volumes with " + segs.size() + " segments or a non-crypt segment (reencryption in progress?)");
        if (!seg.get("encryption").asText().equals(Luks2FormatOptions.CIPHER) || seg.has("integrity"))
            throw new RecipeException(path + ": not implemented in this build: data encryption \"" + seg.get("encryption").asText() + "\" (only aes-xts-plain64 without integrity)");
        return seg;
    }

    public long dataOffset() { return Long.parseLong(dataSegment().get("offset").asText()); }
    public int sectorSize() { return dataSegment().get("sector_size").asInt(); }

    /** Bytes in the data segment. */
    public long dataSize() throws IOException {
        String size = dataSegment().get("size").asText();
        return size.equals("dynamic") ? ch.size() - dataOffset() : Long.parseLong(size);
    }

    public record Unlocked(int keyslot, byte[] volumeKey) {}

    /** Tries every keyslot (priority 2 first, "ignore" = 0 last). Wrong passphrase → RecipeException. */
    public Unlocked unlock(byte[] passphrase) throws IOException {
        checkRequirements();
        List<Integer> order = new ArrayList<>();
        for (int prio : new int[] {2, 1, 0})
            for (Iterator<String> it = keyslots().fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (keyslots().get(k).path("priority").asInt(1) == prio) order.add(Integer.parseInt(k));
            }
        for (int slot : order) {
            byte[] key = tryKeyslot(slot, passphrase);
            if (key != null) return new Unlocked(slot, key);
        }
        throw new RecipeException(path + ": no keyslot matches the passphrase");
    }

    /** The volume key if {@code passphrase} opens {@code slot}, else null. */
    public byte[] tryKeyslot(int slot, byte[] passphrase) throws IOException {
        ObjectNode ks = (ObjectNode) keyslots().get(Integer.toString(slot));
        if (ks == null) throw new RecipeException(path + ": keyslot " + slot + " does not exist");
        if (!ks.get("type").asText().equals("luks2")) return null;
        ObjectNode area = (ObjectNode) ks.get("area");
        if (!area.get("encryption").asText().equals(Luks2FormatOptions.CIPHER))
            throw new RecipeException(path + ": not implemented in this build: keyslot " + slot + " area encryption \"" + area.get("encryption").asText() + "\"");
        int keySize = ks.get("key_size").asInt();
        int stripes = ks.get("af").get("stripes").asInt();
        String afHash = ks.get("af").get("hash").asText();
        int areaKeySize = area.get("key_size").asInt();
        int afBytes = roundUp(keySize * stripes, 512);
        long areaOff = Long.parseLong(area.get("offset").asText());
        if (afBytes > Long.parseLong(area.get("size").asText()))
            throw new RecipeException(path + ": keyslot " + slot + " area is smaller than its " + afBytes + "-byte key material");
        String kdfType = ks.get("kdf").get("type").asText();
        if (!kdfType.equals("pbkdf2") && !kdfType.equals("argon2i") && !kdfType.equals("argon2id"))
            throw new RecipeException(path + ": keyslot " + slot + " uses kdf type \"" + kdfType + "\" (pbkdf2, argon2i and argon2id are supported)");
        byte[] kek = Luks2Kdf.fromJson((ObjectNode) ks.get("kdf")).derive(passphrase, areaKeySize);
        byte[] material = ch.read(areaOff, afBytes);
        new AesXts(kek).decrypt(material, 0, afBytes, 512, 0, 1);
        byte[] key = AfSplitter.merge(material, keySize, stripes, afHash);
        return verifiesDigest(slot, key) ? key : null;
    }

    private boolean verifiesDigest(int slot, byte[] key) {
        for (Map.Entry<String, JsonNode> d : (Iterable<Map.Entry<String, JsonNode>>) digests()::fields) {
            ObjectNode dig = (ObjectNode) d.getValue();
            if (!contains(dig.get("keyslots"), Integer.toString(slot))) continue;
            if (!dig.get("type").asText().equals("pbkdf2"))
                throw new RecipeException(path + ": not implemented in this build: digest type \"" + dig.get("type").asText() + "\"");
            byte[] expected = Base64.getDecoder().decode(dig.get("digest").asText());
            byte[] salt = Base64.getDecoder().decode(dig.get("salt").asText());
            byte[] actual = Luks2Kdf.pbkdf2(dig.get("hash").asText(), key, salt, dig.get("iterations").asInt(), expected.length);
            return MessageDigest.isEqual(expected, actual);
        }
        return false;
    }

    /** The digest id that covers the data segment. */
    private String segmentDigest() {
        for (Map.Entry<String, JsonNode> d : (Iterable<Map.Entry<String, JsonNode>>) digests()::fields)
            if (d.getValue().get("segments").size() > 0) return d.getKey();
        throw new RecipeException(path + ": no digest covers the data segment");
    }

    /**
     * Adds a keyslot for {@code passphrase} holding {@code volumeKey} (which must match the segment
     * digest); {@code slot} &lt; 0 takes the lowest free one. Returns the keyslot number.
     */
    public int addKeyslot(byte[] volumeKey, byte[] passphrase, Luks2Kdf kdfTemplate, int slot) throws IOException {
        checkRequirements();
        String digestId = segmentDigest();
        ObjectNode digest = (ObjectNode) digests().get(digestId);
        byte[] expected = Base64.getDecoder().decode(digest.get("digest").asText());
        if (!MessageDigest.isEqual(expected, Luks2Kdf.pbkdf2(digest.get("hash").asText(), volumeKey,
                Base64.getDecoder().decode(digest.get("salt").asText()), digest.get("iterations").asInt(), expected.length)))
            throw new IllegalArgumentException("volume key does not match the header digest");
        if (slot < 0) slot = freeSlot();
        if (slot >= Luks2Validator.MAX_OBJECTS) throw new RecipeException(path + ": keyslot " + slot + " is out of range (0-31)");
        if (keyslots().has(Integer.toString(slot))) throw new RecipeException(path + ": keyslot " + slot + " is already in use");
        int keySize = volumeKey.length;
        int afBytes = roundUp(keySize * STRIPES, 512);
        long areaSize = roundUp(afBytes, 4096);
        long areaOff = freeArea(areaSize);
        Luks2Kdf kdf = new Luks2Kdf(kdfTemplate.type(), kdfTemplate.hash(), kdfTemplate.iterations(), kdfTemplate.memoryKiB(), kdfTemplate.cpus(), entropy.bytes(32));
        byte[] kek = kdf.derive(passphrase, keySize);
        byte[] material = new byte[afBytes];
        byte[] split = AfSplitter.split(volumeKey, STRIPES, "sha256", entropy);
        System.arraycopy(split, 0, material, 0, split.length);
        new AesXts(kek).encrypt(material, 0, afBytes, 512, 0, 1);
        ch.zero(areaOff, areaSize);
        ch.write(areaOff, material);

        ObjectNode ks = F.objectNode();
        ks.put("type", "luks2");
        ks.put("key_size", keySize);
        ObjectNode af = ks.putObject("af");
        af.put("type", "luks1");
        af.put("stripes", STRIPES);
        af.put("hash", "sha256");
        ObjectNode area = ks.putObject("area");
        area.put("type", "raw");
        area.put("offset", Long.toString(areaOff));
        area.put("size", Long.toString(areaSize));
        area.put("encryption", Luks2FormatOptions.CIPHER);
        area.put("key_size", keySize);
        ks.set("kdf", kdf.toJson());
        putSorted(keyslots(), Integer.toString(slot), ks);
        addSorted((ArrayNode) digest.get("keyslots"), Integer.toString(slot));
        commit();
        return slot;
    }

    /** Removes a keyslot: wipes its area and drops it from digests and tokens. */
    public void removeKeyslot(int slot) throws IOException {
        checkRequirements();
        String id = Integer.toString(slot);
        ObjectNode ks = (ObjectNode) keyslots().get(id);
        if (ks == null) throw new RecipeException(path + ": keyslot " + slot + " does not exist");
        ObjectNode area = (ObjectNode) ks.get("area");
        ch.zero(Long.parseLong(area.get("offset").asText()), Long.parseLong(area.get("size").asText()));
        keyslots().remove(id);
        for (JsonNode d : digests()) removeValue((ArrayNode) d.get("keyslots"), id);
        for (JsonNode t : tokens()) removeValue((ArrayNode) t.get("keyslots"), id);
        commit();
    }

    /** Adds a token object (must have "type" and "keyslots"); returns its id. */
    public int addToken(ObjectNode token, int id) throws IOException {
        Luks2Tokens.check(token, keyslots(), path.toString());
        if (id < 0) {
            id = 0;
            while (tokens().has(Integer.toString(id))) id++;
        }
        if (id >= Luks2Validator.MAX_OBJECTS) throw new RecipeException(path + ": token " + id + " is out of range (0-31)");
        if (tokens().has(Integer.toString(id))) throw new RecipeException(path + ": token " + id + " already exists");
        putSorted(tokens(), Integer.toString(id), token);
        commit();
        return id;
    }

    public void removeToken(int id) throws IOException {
        if (tokens().remove(Integer.toString(id)) == null) throw new RecipeException(path + ": token " + id + " does not exist");
        commit();
    }

    /**
     * Writes both header copies from the one in use when {@link Luks2Header#repairNote} names
     * something to repair; returns that note, or null when the header needed nothing.
     */
    public String repair() throws IOException {
        String note = header.repairNote();
        if (note != null) commit();
        return note;
    }

    public void setLabel(String label, String subsystem) throws IOException {
        if (label != null) header.setLabel(label);
        if (subsystem != null) header.setSubsystem(subsystem);
        commit();
    }

    /** Reads whole sectors of the data segment (offset and length multiples of the sector size) and decrypts them. */
    public void read(byte[] volumeKey, long offset, byte[] buf, int off, int len) throws IOException {
        checkSpan(offset, len);
        byte[] data = ch.read(dataOffset() + offset, len);
        System.arraycopy(data, 0, buf, off, len);
        crypt(volumeKey, false, offset, buf, off, len);
    }

    /** Encrypts and writes whole sectors of plaintext at {@code offset} in the data segment ({@code buf} is left unchanged). */
    public void write(byte[] volumeKey, long offset, byte[] buf, int off, int len) throws IOException {
        checkSpan(offset, len);
        byte[] data = new byte[len];
        System.arraycopy(buf, off, data, 0, len);
        crypt(volumeKey, true, offset, data, 0, len);
        ch.write(dataOffset() + offset, data);
    }

    /** Encrypts or decrypts a buffer that lies at {@code offset} in the data segment (no I/O). */
    public void crypt(byte[] volumeKey, boolean encrypt, long offset, byte[] buf, int off, int len) {
        crypt(new AesXts(volumeKey), encrypt, offset, buf, off, len);
    }

    private void crypt(AesXts xts, boolean encrypt, long offset, byte[] buf, int off, int len) {
        int sector = sectorSize();
        long iv = Long.parseLong(dataSegment().get("iv_tweak").asText()) + offset / 512;
        if (encrypt) xts.encrypt(buf, off, len, sector, iv, sector / 512);
        else xts.decrypt(buf, off, len, sector, iv, sector / 512);
    }

    /**
     * Bulk path: encrypts {@code buf} in place with a caller-held cipher (one per thread, from
     * {@code new AesXts(volumeKey)}) and writes it at {@code offset} in the data segment.
     */
    public void encryptAndWrite(AesXts xts, long offset, byte[] buf, int off, int len) throws IOException {
        checkSpan(offset, len);
        crypt(xts, true, offset, buf, off, len);
        ch.write(dataOffset() + offset, buf, off, len);
    }

    private void checkSpan(long offset, int len) throws IOException {
        int sector = sectorSize();
        if (offset % sector != 0 || len % sector != 0) throw new IllegalArgumentException("offset and length must be multiples of the " + sector + "-byte sector size");
        if (offset + len > dataSize()) throw new IllegalArgumentException("range " + offset + "+" + len + " is beyond the " + dataSize() + "-byte data segment");
    }

    private void checkRequirements() {
        JsonNode mandatory = header.json().get("config").path("requirements").path("mandatory");
        if (mandatory.isArray() && mandatory.size() > 0)
            throw new RecipeException(path + ": header has unmet requirements " + mandatory + " (not implemented in this build)");
    }

    private void commit() throws IOException {
        header.write(ch, entropy);
        ch.channel().force(true);
    }

    private int freeSlot() {
        for (int i = 0; i < Luks2Validator.MAX_OBJECTS; i++) if (!keyslots().has(Integer.toString(i))) return i;
        throw new RecipeException(path + ": all 32 keyslots are in use");
    }

    private long freeArea(long size) {
        long start = 2 * header.metadataSize();
        long end = start + Long.parseLong(header.json().get("config").get("keyslots_size").asText());
        TreeMap<Long, Long> used = new TreeMap<>();
        for (JsonNode ks : keyslots()) {
            JsonNode a = ks.get("area");
            used.put(Long.parseLong(a.get("offset").asText()), Long.parseLong(a.get("size").asText()));
        }
        long candidate = start;
        for (Map.Entry<Long, Long> u : used.entrySet()) {
            if (candidate + size <= u.getKey()) break;
            candidate = Math.max(candidate, u.getKey() + u.getValue());
        }
        if (candidate + size > end) throw new RecipeException(path + ": no room for another " + size + "-byte keyslot area in the keyslots area");
        return candidate;
    }

    static int roundUp(int v, int to) { return (v + to - 1) / to * to; }

    private static boolean contains(JsonNode arr, String v) {
        for (JsonNode n : arr) if (n.asText().equals(v)) return true;
        return false;
    }

    private static void removeValue(ArrayNode arr, String v) {
        for (int i = arr.size() - 1; i >= 0; i--) if (arr.get(i).asText().equals(v)) arr.remove(i);
    }

    private static void addSorted(ArrayNode arr, String v) {
        if (contains(arr, v)) return;
        List<String> all = new ArrayList<>();
        arr.forEach(n -> all.add(n.asText()));
        all.add(v);
        all.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        arr.removeAll();
        all.forEach(arr::add);
    }

    private static void putSorted(ObjectNode obj, String key, JsonNode value) {
        TreeMap<Integer, JsonNode> all = new TreeMap<>();
        obj.fields().forEachRemaining(e -> all.put(Integer.parseInt(e.getKey()), e.getValue()));
        all.put(Integer.parseInt(key), value);
        obj.removeAll();
        all.forEach((k, v) -> obj.set(Integer.toString(k), v));
    }

    @Override
    public void close() throws IOException {
        if (ownsChannel) ch.channel().close();
    }
}
