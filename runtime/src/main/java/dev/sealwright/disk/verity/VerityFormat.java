package dev.sealwright.disk.verity;

import dev.sealwright.base.BadValueException;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Progress;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The one {@code veritysetup format} operation: {@code sealwright verity format} and the {@code verity} step
 * both build a {@link Request} and call {@link #run}. Salt and UUID default to values derived from the data
 * (SHA-256 of its bytes; a name-based UUID of the salt), so the same data gives the same hash file and root hash.
 */
public final class VerityFormat {
    private VerityFormat() {}

    public static final String DEFAULT_HASH = "sha256";
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    /** Null means the default: salt and uuid derived from the data, sha256, 4096-byte blocks; salt "-" is none. */
    public record Request(Path data, String salt, String uuid, String hash, Integer dataBlockSize, Integer hashBlockSize) {}

    /** The superblock written (UUID, salt, sizes, block count) and the root hash. */
    public record Result(VeritySuperblock superblock, byte[] rootHash) {
        public String rootHex() { return HexFormat.of().formatHex(rootHash); }
        public String saltHex() { return HexFormat.of().formatHex(superblock.salt()); }
    }

    /** Writes the superblock and tree of the request's data to {@code hashFile}, reporting data bytes hashed. */
    public static Result run(Request r, Path hashFile, Progress progress) throws IOException {
        InputFiles.requireImage(r.data(), "verity device");
        int dataBlockSize = blockSize("dataBlockSize", r.dataBlockSize());
        int hashBlockSize = blockSize("hashBlockSize", r.hashBlockSize());
        long blocks = Files.size(r.data()) / dataBlockSize;
        if (blocks == 0) throw new RecipeException(r.data() + ": smaller than one " + dataBlockSize + "-byte data block");
        byte[] salt = salt(r.salt(), r.data());
        if (salt.length > 256) throw new BadValueException("salt", "salt: " + salt.length + " bytes; at most 256");
        UUID uuid;
        try {
            uuid = r.uuid() != null ? UUID.fromString(r.uuid()) : UUID.nameUUIDFromBytes(salt);
        } catch (IllegalArgumentException e) {
            throw new BadValueException("uuid", "uuid: not a UUID: " + r.uuid());
        }
        VeritySuperblock sb;
        try {
            sb = new VeritySuperblock(1, uuid, r.hash() == null ? DEFAULT_HASH : r.hash(), dataBlockSize, hashBlockSize, blocks, salt);
        } catch (IllegalArgumentException e) {
            throw new BadValueException("hash", "verity format: " + e.getMessage());
        }
        return new Result(sb, new VerityTree(sb).format(r.data(), hashFile, progress));
    }

    /** The block size {@code field} gives (default 4096), refused unless a power of two from 512 to 1 MiB. */
    public static int blockSize(String field, Integer size) {
        int bs = size == null ? DEFAULT_BLOCK_SIZE : size;
        if (bs < 512 || bs > (1 << 20) || Integer.bitCount(bs) != 1)
            throw new BadValueException(field, "verity format: block size " + Integer.toUnsignedString(bs) + " is not a power of two between 512 and 1 MiB");
        return bs;
    }

    /** A salt option: hex, or "-" for none. */
    public static byte[] salt(String option) {
        if ("-".equals(option)) return new byte[0];
        try {
            return HexFormat.of().parseHex(option);
        } catch (IllegalArgumentException e) {
            throw new BadValueException("salt", "salt: not a hex string: " + option);
        }
    }

    private static byte[] salt(String option, Path data) throws IOException {
        if (option != null) return salt(option);
        try (InputStream in = Files.newInputStream(data)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
