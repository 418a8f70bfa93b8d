package dev.sealwright.uefi;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An EDK2/OVMF NV variable store file (OVMF_VARS*.fd): EFI_FIRMWARE_VOLUME_HEADER ("_FVH" at 40,
 * HeaderLength at 48), then VARIABLE_STORE_HEADER (signature GUID, u32 size, format 0x5A, state 0xFE),
 * then AUTHENTICATED_VARIABLE_HEADER records (StartId 0x55AA, State, Attributes, MonotonicCount,
 * TimeStamp, PubKeyIndex, NameSize, DataSize, VendorGuid; then UTF-16LE name and data, 4-byte aligned).
 * Everything after the last record (free space, fault-tolerant-write areas) is kept as is, so
 * {@link #toBytes()} gives back the file byte for byte.
 */
public record VariableStore(byte[] headers, List<Variable> variables, byte[] rest) {
    public static final UUID AUTHENTICATED_VARIABLE_STORE = UUID.fromString("aaf32c78-947b-439a-a180-2e144ec37792");
    static final int START_ID = 0x55AA;
    static final int HEADER_SIZE = 60;
    static final int VAR_ADDED = 0x3F;
    static final int VAR_IN_DELETED_TRANSITION = 0xFE;

    /** One variable record; {@code state} says whether it is live (0x3F) or deleted. */
    public record Variable(int state, int attributes, long monotonicCount, byte[] timestamp, int pubKeyIndex,
                           UUID vendor, String name, byte[] data) {
        /** Added and not deleted (VAR_ADDED, possibly in deletion transition, which still counts as present). */
        public boolean live() {
            return state == VAR_ADDED || state == (VAR_ADDED & VAR_IN_DELETED_TRANSITION);
        }

        byte[] nameBytes() {
            return (name + "\0").getBytes(StandardCharsets.UTF_16LE);
        }
    }

    /** An OVMF_VARS file (528 KiB for the 4M build). */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("an OVMF variable store", 64 << 20);

    public static VariableStore read(byte[] file, String source) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 64 || b.getInt(40) != 0x4856465F) throw new RecipeException(source + ": not a firmware volume (no _FVH signature at offset 40)");
        int fvHeader = Short.toUnsignedInt(b.getShort(48));
        if (fvHeader < 56 || fvHeader + 28 > file.length) throw new RecipeException(source + ": firmware volume header length " + fvHeader + " is out of range");
        b.position(fvHeader);
        UUID signature = EfiGuid.read(b);
        if (!signature.equals(AUTHENTICATED_VARIABLE_STORE)) {
            throw new RecipeException(source + ": variable store signature " + signature + " is not the authenticated variable store (" + AUTHENTICATED_VARIABLE_STORE + ")");
        }
        long storeSize = Integer.toUnsignedLong(b.getInt());
        int format = b.get() & 0xFF, state = b.get() & 0xFF;
        if (format != 0x5A || state != 0xFE) throw new RecipeException(source + ": variable store is not formatted and healthy (format " + format + ", state " + state + ")");
        int storeEnd = (int) Math.min(file.length, fvHeader + storeSize);
        int pos = fvHeader + 28;
        List<Variable> vars = new ArrayList<>();
        while (pos + HEADER_SIZE <= storeEnd && Short.toUnsignedInt(b.getShort(pos)) == START_ID) {
            b.position(pos + 2);
            int varState = b.get() & 0xFF;
            b.get();
            int attributes = b.getInt();
            long count = b.getLong();
            byte[] time = new byte[16];
            b.get(time);
            int pubKey = b.getInt(), nameSize = b.getInt(), dataSize = b.getInt();
            UUID vendor = EfiGuid.read(b);
            if (nameSize < 2 || nameSize % 2 != 0 || dataSize < 0 || (long) b.position() + nameSize + dataSize > storeEnd) {
                throw new RecipeException(source + ": variable at offset " + pos + " has name size " + nameSize + " and data size " + dataSize + " beyond the store");
            }
            byte[] name = new byte[nameSize];
            b.get(name);
            byte[] data = new byte[dataSize];
            b.get(data);
            String n = new String(name, StandardCharsets.UTF_16LE);
            if (!n.endsWith("\0")) throw new RecipeException(source + ": variable name at offset " + pos + " is not NUL-terminated");
            vars.add(new Variable(varState, attributes, count, time, pubKey, vendor, n.substring(0, n.length() - 1), data));
            pos = align4(b.position());
        }
        int firstRecord = fvHeader + 28;
        return new VariableStore(Arrays.copyOfRange(file, 0, firstRecord), vars, Arrays.copyOfRange(file, pos, file.length));
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(headers);
        for (Variable v : variables) {
            byte[] name = v.nameBytes();
            ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) START_ID).put((byte) v.state()).put((byte) 0).putInt(v.attributes()).putLong(v.monotonicCount())
                    .put(v.timestamp()).putInt(v.pubKeyIndex()).putInt(name.length).putInt(v.data().length).put(EfiGuid.bytes(v.vendor()));
            out.writeBytes(b.array());
            out.writeBytes(name);
            out.writeBytes(v.data());
            while (out.size() % 4 != 0) out.write(0xFF);
        }
        out.writeBytes(rest);
        return out.toByteArray();
    }

    /** The live variable {@code name} of {@code vendor}, if present. */
    public Optional<Variable> find(UUID vendor, String name) {
        return variables.stream().filter(v -> v.live() && v.vendor().equals(vendor) && v.name().equals(name)).reduce((a, b) -> b);
    }

    private static int align4(int p) {
        return (p + 3) & ~3;
    }
}
