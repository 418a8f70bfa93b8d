package dev.sealwright.measure.snp;

import dev.sealwright.base.InputFiles;
import dev.sealwright.uefi.EfiGuid;

import dev.sealwright.base.RecipeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.UUID;

/**
 * The SEV hashes table QEMU writes for measured direct boot ({@code kernel-hashes=on}): a GUIDed header
 * and three entries (cmdline, initrd, kernel), each a SHA-256, zero-padded to 176 bytes.
 */
public record SevHashTable(byte[] cmdlineHash, byte[] initrdHash, byte[] kernelHash) {
    static final UUID TABLE_GUID = UUID.fromString("9438d606-4f22-4cc9-b479-a793d411fd21");
    static final UUID CMDLINE_GUID = UUID.fromString("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");
    static final UUID INITRD_GUID = UUID.fromString("44baf731-3a2f-4bd7-9af1-41e29169781d");
    static final UUID KERNEL_GUID = UUID.fromString("4de79437-abd2-427f-b835-d5b172d2045b");
    static final int ENTRY_SIZE = 16 + 2 + 32;
    static final int TABLE_SIZE = 16 + 2 + 3 * ENTRY_SIZE;
    /** The table padded to a multiple of 16, as QEMU places (SNP) or hashes (SEV/SEV-ES) it. */
    public static final int PADDED_SIZE = (TABLE_SIZE + 15) & ~15;

    public SevHashTable {
        for (byte[] h : new byte[][] {cmdlineHash, initrdHash, kernelHash})
            if (h == null || h.length != 32) throw new IllegalArgumentException("SEV hash table entries are SHA-256 digests");
        cmdlineHash = cmdlineHash.clone();
        initrdHash = initrdHash.clone();
        kernelHash = kernelHash.clone();
    }

    /** Hashes as QEMU does: the whole kernel file, the initrd (empty if none), the cmdline plus a NUL. */
    public static SevHashTable of(Path kernel, Path initrd, String append) {
        byte[] cmdline = ((append == null ? "" : append) + "\0").getBytes(StandardCharsets.UTF_8);
        return new SevHashTable(sha256(cmdline), initrd == null ? sha256(new byte[0]) : InputFiles.digest(initrd, "SHA-256"), InputFiles.digest(kernel, "SHA-256"));
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(PADDED_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(EfiGuid.bytes(TABLE_GUID)).putShort((short) TABLE_SIZE);
        entry(b, CMDLINE_GUID, cmdlineHash);
        entry(b, INITRD_GUID, initrdHash);
        entry(b, KERNEL_GUID, kernelHash);
        return b.array();
    }

    /** A zeroed 4 KiB page with the padded table at {@code offset} (the table GPA's offset in its page). */
    public byte[] page(int offset) {
        if (offset < 0 || offset + PADDED_SIZE > LaunchDigest.PAGE) throw new IllegalArgumentException("hash table offset 0x" + Integer.toHexString(offset) + " does not fit a page");
        byte[] page = new byte[LaunchDigest.PAGE];
        System.arraycopy(toBytes(), 0, page, offset, PADDED_SIZE);
        return page;
    }

    /** Parses a table (padding optional) as written by {@link #toBytes()} or QEMU. */
    public static SevHashTable read(byte[] bytes) {
        if (bytes.length < TABLE_SIZE) throw new RecipeException("SEV hash table: " + bytes.length + " bytes, need " + TABLE_SIZE);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!EfiGuid.read(bytes, 0).equals(TABLE_GUID)) throw new RecipeException("SEV hash table: wrong header GUID " + EfiGuid.read(bytes, 0));
        int len = b.getShort(16) & 0xFFFF;
        if (len != TABLE_SIZE) throw new RecipeException("SEV hash table: length field " + len + ", expected " + TABLE_SIZE);
        return new SevHashTable(entryHash(bytes, 18, CMDLINE_GUID), entryHash(bytes, 18 + ENTRY_SIZE, INITRD_GUID),
                entryHash(bytes, 18 + 2 * ENTRY_SIZE, KERNEL_GUID));
    }

    private static byte[] entryHash(byte[] bytes, int off, UUID guid) {
        UUID found = EfiGuid.read(bytes, off);
        if (!found.equals(guid)) throw new RecipeException("SEV hash table: entry at " + off + " has GUID " + found + ", expected " + guid);
        int len = (bytes[off + 16] & 0xFF) | (bytes[off + 17] & 0xFF) << 8;
        if (len != ENTRY_SIZE) throw new RecipeException("SEV hash table: entry at " + off + " has length " + len);
        return Arrays.copyOfRange(bytes, off + 18, off + 18 + 32);
    }

    private static void entry(ByteBuffer b, UUID guid, byte[] hash) {
        b.put(EfiGuid.bytes(guid)).putShort((short) ENTRY_SIZE).put(hash);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SevHashTable t && Arrays.equals(cmdlineHash, t.cmdlineHash)
                && Arrays.equals(initrdHash, t.initrdHash) && Arrays.equals(kernelHash, t.kernelHash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(kernelHash);
    }
}
