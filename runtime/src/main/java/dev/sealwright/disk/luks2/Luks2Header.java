package dev.sealwright.disk.luks2;

import dev.sealwright.base.OneLine;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * The LUKS2 metadata: two copies of (4096-byte binary header ‖ JSON area), each with its own salt
 * and checksum (cryptsetup docs/on-disk-format-luks2.pdf). {@link #read} validates both copies as
 * strictly as cryptsetup, uses the valid one with the higher seqid and reports why a copy was
 * rejected; reading never writes. {@link #write} writes both copies with fresh salts after
 * validating the JSON, which also repairs a damaged copy ({@link #repairNote}).
 */
public final class Luks2Header {
    public static final int BINARY_SIZE = 4096;
    public static final List<Long> METADATA_SIZES = List.of(0x4000L, 0x8000L, 0x10000L, 0x20000L, 0x40000L,
            0x80000L, 0x100000L, 0x200000L, 0x400000L);
    private static final byte[] MAGIC_PRIMARY = {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE};
    private static final byte[] MAGIC_SECONDARY = {'S', 'K', 'U', 'L', (byte) 0xBA, (byte) 0xBE};
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private final long metadataSize;
    private long seqid;
    private String label;
    private String subsystem;
    private String uuid;
    private String checksumAlgorithm;
    private ObjectNode json;
    private String recoveryNote;
    private boolean kdfLeftovers;

    public Luks2Header(long metadataSize, long seqid, String label, String subsystem, String uuid, ObjectNode json) {
        if (!METADATA_SIZES.contains(metadataSize)) throw new IllegalArgumentException("unsupported LUKS2 metadata size " + metadataSize);
        this.metadataSize = metadataSize;
        this.seqid = seqid;
        this.label = label == null ? "" : label;
        this.subsystem = subsystem == null ? "" : subsystem;
        this.uuid = uuid;
        this.checksumAlgorithm = "sha256";
        this.json = json;
    }

    public long metadataSize() { return metadataSize; }
    public long seqid() { return seqid; }
    public String label() { return label; }
    public String subsystem() { return subsystem; }
    public String uuid() { return uuid; }
    public String checksumAlgorithm() { return checksumAlgorithm; }
    public ObjectNode json() { return json; }
    /** Why one copy was not used, or null when both copies were valid and equal in seqid. */
    public String recoveryNote() { return recoveryNote; }

    /**
     * What {@link #write} would change on disk beyond the metadata itself, or null: a damaged or
     * older copy (see {@link #recoveryNote}) and KDF parameters an old cryptsetup left behind,
     * which reading dropped in memory only, as cryptsetup does.
     */
    public String repairNote() {
        String kdf = kdfLeftovers ? "leftover KDF parameters of a previous type in a keyslot (dropped in memory)" : null;
        if (recoveryNote == null) return kdf;
        return kdf == null ? recoveryNote : recoveryNote + "; " + kdf;
    }

    public void setLabel(String label) {
        checkLabel(label);
        this.label = label;
    }

    public void setSubsystem(String subsystem) {
        checkLabel(subsystem);
        this.subsystem = subsystem;
    }

    private static void checkLabel(String s) {
        if (s.getBytes(StandardCharsets.UTF_8).length > 47) throw new RecipeException("LUKS2 label/subsystem \"" + s + "\" is longer than 47 bytes");
    }

    /** Reads and validates both copies; throws a one-line RecipeException naming {@code source} when neither is usable. */
    public static Luks2Header read(ByteRegion ch, String source) throws IOException {
        long size = ch.size();
        Luks2Header primary = null, secondary = null;
        String primaryError, secondaryError = null;
        try {
            primary = readCopy(ch, 0, true);
            primaryError = null;
        } catch (InvalidCopy e) {
            primaryError = e.getMessage();
        }
        if (primary != null) {
            try {
                secondary = readCopy(ch, primary.metadataSize, false);
            } catch (InvalidCopy e) {
                secondaryError = e.getMessage();
            }
        } else {
            for (long off : METADATA_SIZES) {
                if (off + BINARY_SIZE > size) break;
                if (!Arrays.equals(ch.read(off, 6), MAGIC_SECONDARY)) continue;
                try {
                    secondary = readCopy(ch, off, false);
                    secondaryError = null;
                    break;
                } catch (InvalidCopy e) {
                    secondaryError = e.getMessage();
                }
            }
            if (secondary == null && secondaryError == null) secondaryError = "no secondary header found at any of the LUKS2 offsets";
        }
        if (primary == null && secondary == null) {
            if (size < BINARY_SIZE || (!Arrays.equals(ch.read(0, 6), MAGIC_PRIMARY) && secondaryError.startsWith("no secondary")))
                throw new RecipeException(source + ": not a LUKS2 device (no LUKS2 header magic)");
            throw new RecipeException(source + ": invalid LUKS2 header: primary: " + primaryError + "; secondary: " + secondaryError);
        }
        if (primary == null) {
            secondary.recoveryNote = "primary header invalid (" + primaryError + "); using the secondary copy";
            return secondary;
        }
        if (secondary == null) {
            primary.recoveryNote = "secondary header invalid (" + secondaryError + "); using the primary copy";
            return primary;
        }
        if (secondary.seqid > primary.seqid) {
            secondary.recoveryNote = "secondary header is newer (seqid " + secondary.seqid + " > " + primary.seqid + "); using it";
            return secondary;
        }
        if (secondary.seqid < primary.seqid)
            primary.recoveryNote = "secondary header is older (seqid " + secondary.seqid + " < " + primary.seqid + "); using the primary";
        return primary;
    }

    private static final class InvalidCopy extends Exception {
        InvalidCopy(String message) { super(OneLine.of(message)); } // also printed as a warning (recoveryNote), one line
    }

    private static Luks2Header readCopy(ByteRegion ch, long offset, boolean primary) throws IOException, InvalidCopy {
        if (ch.size() < offset + BINARY_SIZE) throw new InvalidCopy("file too short for a header at offset " + offset);
        ByteBuffer bin = ByteBuffer.wrap(ch.read(offset, BINARY_SIZE));
        byte[] magic = new byte[6];
        bin.get(0, magic);
        if (!Arrays.equals(magic, primary ? MAGIC_PRIMARY : MAGIC_SECONDARY)) throw new InvalidCopy("bad magic at offset " + offset);
        int version = Short.toUnsignedInt(bin.getShort(6));
        if (version != 2) throw new InvalidCopy("unsupported version " + version + " at offset " + offset);
        long hdrSize = bin.getLong(8);
        if (!METADATA_SIZES.contains(hdrSize)) throw new InvalidCopy("unsupported header size " + Long.toUnsignedString(hdrSize));
        if (!primary && hdrSize != offset) throw new InvalidCopy("secondary header at offset " + offset + " declares header size " + hdrSize);
        long hdrOffset = bin.getLong(0x100);
        if (hdrOffset != offset) throw new InvalidCopy("hdr_offset " + Long.toUnsignedString(hdrOffset) + " does not match the header's position " + offset);
        long seqid = bin.getLong(0x10);
        String label = cString(bin, 0x18, 48, "label");
        String csumAlg = cString(bin, 0x48, 32, "checksum_alg");
        String uuid = cString(bin, 0xA8, 40, "uuid");
        String subsystem = cString(bin, 0xD0, 48, "subsystem");
        if (!Luks2Kdf.supportedHash(csumAlg)) throw new InvalidCopy("unsupported checksum algorithm \"" + csumAlg + "\"");
        if (ch.size() < offset + hdrSize) throw new InvalidCopy("file too short for the JSON area at offset " + offset);
        byte[] area = ch.read(offset + BINARY_SIZE, (int) (hdrSize - BINARY_SIZE));
        byte[] stored = new byte[64];
        bin.get(0x1C0, stored);
        byte[] computed = checksum(csumAlg, bin.array(), area);
        byte[] storedHead = Arrays.copyOf(stored, computed.length);
        if (!MessageDigest.isEqual(storedHead, computed)) throw new InvalidCopy("checksum mismatch at offset " + offset);
        // as validate_json_area: '{' first, the object ends right before the first NUL, and every
        // byte from there to the end of the area is NUL (whitespace inside the object is allowed)
        int nul = -1;
        for (int i = 0; i < area.length; i++) if (area[i] == 0) { nul = i; break; }
        if (nul < 0) throw new InvalidCopy("JSON area at offset " + (offset + BINARY_SIZE) + " is not NUL-terminated");
        if (area[0] != '{') throw new InvalidCopy("JSON area at offset " + (offset + BINARY_SIZE) + " does not start with '{'");
        if (area[nul - 1] != '}') throw new InvalidCopy("JSON area at offset " + (offset + BINARY_SIZE) + " has bytes after the JSON object");
        for (int i = nul; i < area.length; i++)
            if (area[i] != 0) throw new InvalidCopy("JSON area at offset " + (offset + BINARY_SIZE) + " has a non-NUL byte 0x" + Integer.toHexString(area[i] & 0xff) + " at " + i + ", after the JSON text");
        JsonNode tree;
        try {
            tree = STRICT.readTree(new String(area, 0, nul, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new InvalidCopy("malformed JSON: " + OneLine.jsonProblem(e));
        }
        if (!(tree instanceof ObjectNode obj)) throw new InvalidCopy("JSON metadata is not an object");
        boolean repaired = Luks2Validator.repairKdfLeftovers(obj);
        String problem = Luks2Validator.problem(obj, hdrSize);
        if (problem != null) throw new InvalidCopy(problem);
        Luks2Header h = new Luks2Header(hdrSize, seqid, label, subsystem, uuid, obj);
        h.checksumAlgorithm = csumAlg;
        h.kdfLeftovers = repaired;
        return h;
    }

    private static String cString(ByteBuffer bin, int off, int len, String field) throws InvalidCopy {
        byte[] b = new byte[len];
        bin.get(off, b);
        int end = 0;
        while (end < len && b[end] != 0) end++;
        if (end == len) throw new InvalidCopy(field + " is not NUL-terminated");
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static byte[] checksum(String alg, byte[] binary, byte[] area) {
        byte[] zeroed = binary.clone();
        Arrays.fill(zeroed, 0x1C0, 0x1C0 + 64, (byte) 0);
        MessageDigest md = Luks2Kdf.digest(alg);
        md.update(zeroed);
        md.update(area);
        return md.digest();
    }

    /** The compact JSON text as it goes into the area. */
    public String jsonText() {
        try {
            return COMPACT.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Validates, bumps seqid, and writes both copies (fresh salts from {@code entropy}). */
    public void write(ByteRegion ch, Entropy entropy) throws IOException {
        String problem = Luks2Validator.problem(json, metadataSize);
        if (problem != null) throw new IllegalStateException("refusing to write an invalid LUKS2 header: " + problem);
        seqid++;
        byte[] text = jsonText().getBytes(StandardCharsets.UTF_8);
        byte[] area = new byte[(int) (metadataSize - BINARY_SIZE)];
        System.arraycopy(text, 0, area, 0, text.length);
        for (boolean primary : new boolean[] {true, false}) {
            long offset = primary ? 0 : metadataSize;
            ByteBuffer bin = ByteBuffer.allocate(BINARY_SIZE);
            bin.put(0, primary ? MAGIC_PRIMARY : MAGIC_SECONDARY);
            bin.putShort(6, (short) 2);
            bin.putLong(8, metadataSize);
            bin.putLong(0x10, seqid);
            putString(bin, 0x18, 48, label);
            putString(bin, 0x48, 32, checksumAlgorithm);
            bin.put(0x68, entropy.bytes(64));
            putString(bin, 0xA8, 40, uuid);
            putString(bin, 0xD0, 48, subsystem);
            bin.putLong(0x100, offset);
            byte[] csum = checksum(checksumAlgorithm, bin.array(), area);
            bin.put(0x1C0, csum);
            ch.write(offset, bin.array());
            ch.write(offset + BINARY_SIZE, area);
        }
        recoveryNote = null;
        kdfLeftovers = false;
    }

    private static void putString(ByteBuffer bin, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length >= len) throw new IllegalArgumentException("\"" + s + "\" does not fit in " + (len - 1) + " bytes");
        bin.put(off, b);
    }
}
