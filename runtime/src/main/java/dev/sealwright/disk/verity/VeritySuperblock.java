package dev.sealwright.disk.verity;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The 512-byte dm-verity superblock veritysetup writes at the start of the hash device
 * (little-endian: "verity\0\0", version 1, hash_type, uuid, algorithm, block sizes, data blocks, salt).
 */
public record VeritySuperblock(int hashType, UUID uuid, String algorithm, int dataBlockSize, int hashBlockSize,
                               long dataBlocks, byte[] salt) {
    public static final int SIZE = 512;
    private static final byte[] SIGNATURE = {'v', 'e', 'r', 'i', 't', 'y', 0, 0};

    public VeritySuperblock {
        if (salt.length > 256) throw new IllegalArgumentException("salt is longer than 256 bytes");
        if (algorithm.length() >= 32) throw new IllegalArgumentException("hash algorithm name too long");
        for (int bs : new int[] {dataBlockSize, hashBlockSize})
            if (bs < 512 || bs > (1 << 20) || Integer.bitCount(bs) != 1) throw new IllegalArgumentException("block size " + Integer.toUnsignedString(bs) + " is not a power of two between 512 and 1 MiB");
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SIGNATURE);
        b.putInt(1).putInt(hashType);
        b.order(ByteOrder.BIG_ENDIAN).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        b.order(ByteOrder.LITTLE_ENDIAN);
        b.put(Arrays.copyOf(algorithm.getBytes(StandardCharsets.US_ASCII), 32));
        b.putInt(dataBlockSize).putInt(hashBlockSize).putLong(dataBlocks);
        b.putShort((short) salt.length);
        b.position(b.position() + 6);
        b.put(Arrays.copyOf(salt, 256));
        return b.array();
    }

    /** Parses a superblock; the message of the IllegalArgumentException says what is wrong. */
    public static VeritySuperblock decode(byte[] raw) {
        if (raw.length < SIZE) throw new IllegalArgumentException("shorter than a verity superblock");
        ByteBuffer b = ByteBuffer.wrap(raw, 0, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(Arrays.copyOf(raw, 8), SIGNATURE)) throw new IllegalArgumentException("no verity superblock signature");
        int version = b.getInt(8);
        if (version != 1) throw new IllegalArgumentException("unsupported superblock version " + Integer.toUnsignedString(version));
        int hashType = b.getInt(12);
        if (hashType != 0 && hashType != 1) throw new IllegalArgumentException("unsupported hash type " + Integer.toUnsignedString(hashType));
        ByteBuffer be = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
        UUID uuid = new UUID(be.getLong(16), be.getLong(24));
        int end = 32;
        while (end < 64 && raw[end] != 0) end++;
        String alg = new String(raw, 32, end - 32, StandardCharsets.US_ASCII);
        int dbs = b.getInt(64), hbs = b.getInt(68);
        long blocks = b.getLong(72);
        if (blocks <= 0) throw new IllegalArgumentException("data blocks " + Long.toUnsignedString(blocks) + " is out of range");
        int saltSize = Short.toUnsignedInt(b.getShort(80));
        if (saltSize > 256) throw new IllegalArgumentException("salt size " + saltSize + " is larger than 256");
        return new VeritySuperblock(hashType, uuid, alg, dbs, hbs, blocks, Arrays.copyOfRange(raw, 88, 88 + saltSize));
    }
}
