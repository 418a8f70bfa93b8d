package dev.sealwright.measure.snp.idblock;

import dev.sealwright.base.RecipeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * SNP ID_BLOCK (SNP_LAUNCH_FINISH), 96 bytes little-endian: expected launch digest, family and image ids,
 * version (1), guest SVN and the guest policy (which must equal the launch policy).
 */
public record IdBlock(byte[] launchDigest, byte[] familyId, byte[] imageId, int version, int guestSvn, long policy) {
    public static final int SIZE = 0x60;
    public static final int VERSION = 1;
    public static final long DEFAULT_POLICY = 0x30000;

    public IdBlock {
        if (launchDigest.length != 48) throw new RecipeException("ID block: the launch digest must be 48 bytes, got " + launchDigest.length);
        if (familyId.length != 16) throw new RecipeException("ID block: the family id must be 16 bytes, got " + familyId.length);
        if (imageId.length != 16) throw new RecipeException("ID block: the image id must be 16 bytes, got " + imageId.length);
        launchDigest = launchDigest.clone();
        familyId = familyId.clone();
        imageId = imageId.clone();
    }

    /** Defaults as virtee/sev and sev-snp-measure: zero ids, version 1, SVN 0. */
    public static IdBlock of(byte[] launchDigest, long policy) {
        return new IdBlock(launchDigest, new byte[16], new byte[16], VERSION, 0, policy);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(launchDigest).put(familyId).put(imageId).putInt(version).putInt(guestSvn).putLong(policy);
        return b.array();
    }

    public static IdBlock read(byte[] data) {
        if (data.length != SIZE) throw new RecipeException("ID block: " + data.length + " bytes, expected " + SIZE);
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return new IdBlock(Arrays.copyOfRange(data, 0, 48), Arrays.copyOfRange(data, 48, 64), Arrays.copyOfRange(data, 64, 80),
                b.getInt(80), b.getInt(84), b.getLong(88));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdBlock i && Arrays.equals(toBytes(), i.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }
}
