package dev.sealwright.uefi;

import dev.sealwright.base.RecipeException;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * EFI_SIGNATURE_LIST (UEFI 2.10, 32.4.1): SignatureType GUID, u32 SignatureListSize, u32
 * SignatureHeaderSize, u32 SignatureSize, header, then EFI_SIGNATURE_DATA entries (owner GUID ‖ data),
 * all of SignatureSize. A variable such as db holds several lists back to back.
 */
public record SignatureList(UUID type, byte[] header, List<Entry> entries) {
    static final int FIXED = 16 + 4 + 4 + 4;

    /** EFI_SIGNATURE_DATA: SignatureOwner ‖ SignatureData (a DER certificate, a SHA-256 hash, ...). */
    public record Entry(UUID owner, byte[] data) {}

    public SignatureList {
        entries = List.copyOf(entries);
        int size = entries.isEmpty() ? 0 : entries.get(0).data().length;
        for (Entry e : entries) {
            if (e.data().length != size) throw new IllegalArgumentException("all entries of one EFI_SIGNATURE_LIST have the same size");
        }
    }

    /** One X.509 certificate as its own list (what cert-to-efi-sig-list writes). */
    public static SignatureList x509(UUID owner, byte[] der) {
        return new SignatureList(EfiGuid.CERT_X509, new byte[0], List.of(new Entry(owner, der)));
    }

    public int signatureSize() {
        return 16 + (entries.isEmpty() ? 0 : entries.get(0).data().length);
    }

    public byte[] toBytes() {
        int size = FIXED + header.length + entries.size() * signatureSize();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(EfiGuid.bytes(type)).putInt(size).putInt(header.length).putInt(signatureSize()).put(header);
        for (Entry e : entries) b.put(EfiGuid.bytes(e.owner())).put(e.data());
        return b.array();
    }

    /** Concatenated lists, as a PK/KEK/db/dbx variable payload or an .esl file. */
    public static byte[] toBytes(List<SignatureList> lists) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SignatureList l : lists) out.writeBytes(l.toBytes());
        return out.toByteArray();
    }

    /** Parses concatenated lists; {@code source} names the file or variable in errors. */
    public static List<SignatureList> readAll(byte[] payload, String source) {
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        List<SignatureList> lists = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            try {
                UUID type = EfiGuid.read(b);
                int listSize = b.getInt(), headerSize = b.getInt(), sigSize = b.getInt();
                if (listSize < FIXED || listSize > payload.length - at || headerSize < 0 || sigSize < 16
                        || (listSize - FIXED - headerSize) < 0 || (listSize - FIXED - headerSize) % sigSize != 0) {
                    throw new RecipeException(source + ": EFI_SIGNATURE_LIST at offset " + at + " has inconsistent sizes (list "
                            + listSize + ", header " + headerSize + ", signature " + sigSize + ")");
                }
                byte[] header = new byte[headerSize];
                b.get(header);
                List<Entry> entries = new ArrayList<>();
                for (int n = (listSize - FIXED - headerSize) / sigSize; n > 0; n--) {
                    UUID owner = EfiGuid.read(b);
                    byte[] data = new byte[sigSize - 16];
                    b.get(data);
                    entries.add(new Entry(owner, data));
                }
                lists.add(new SignatureList(type, header, entries));
            } catch (BufferUnderflowException e) {
                throw new RecipeException(source + ": EFI_SIGNATURE_LIST at offset " + at + " is truncated");
            }
        }
        return lists;
    }
}
