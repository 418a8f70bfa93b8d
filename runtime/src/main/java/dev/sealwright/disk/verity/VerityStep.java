package dev.sealwright.disk.verity;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * {@code verity { data rootfs.image }}: the dm-verity superblock and hash tree of a data image in a
 * separate hash file, as {@code veritysetup format DATA HASH} writes them, and the root hash that goes
 * on the kernel command line ({@code roothash=}). Salt and UUID default to values derived from the
 * data (SHA-256 of its bytes), so the same data gives the same hash file and root hash.
 */
public final class VerityStep implements StepType {
    @Override public String name() { return "verity"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "dm-verity hash tree and root hash of a data image (veritysetup format compatible)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("data", Input.class, "the data image (e.g. a rootfs filesystem image)"),
                OptionSpec.optional("salt", String.class, null, "salt as hex, '-' for none (default: SHA-256 of the data)"),
                OptionSpec.optional("uuid", String.class, null, "superblock UUID (default: derived from the salt)"),
                OptionSpec.optional("hash", String.class, "sha256", "sha256, sha512 or sha1"),
                OptionSpec.optional("dataBlockSize", Long.class, 4096L, "data block size in bytes"),
                OptionSpec.optional("hashBlockSize", Long.class, 4096L, "hash block size in bytes"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("hash", "hash.img", "superblock + hash tree (veritysetup --hash-offset 0 layout)"),
                OutputSpec.file("roothash", "roothash.txt", "the root hash, hex and a newline"),
                OutputSpec.value("rootHash", "root hash, hex"),
                OutputSpec.value("salt", "salt, hex (empty for none)"),
                OutputSpec.value("uuid", "superblock UUID"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path data = ctx.path("data");
        if (!Files.isRegularFile(data)) throw new RecipeException("verity: " + data + " is not a file");
        long dataBlockSize = ctx.number("dataBlockSize");
        long blocks = Files.size(data) / dataBlockSize;
        if (blocks == 0) throw new RecipeException("verity: " + data + " is smaller than one " + dataBlockSize + "-byte data block");
        byte[] salt = salt(ctx.string("salt"), data);
        UUID uuid;
        try {
            uuid = ctx.string("uuid") != null ? UUID.fromString(ctx.string("uuid")) : UUID.nameUUIDFromBytes(salt);
        } catch (IllegalArgumentException e) {
            throw new RecipeException("verity: uuid '" + ctx.string("uuid") + "' is not a UUID");
        }
        VeritySuperblock sb;
        try {
            sb = new VeritySuperblock(1, uuid, ctx.string("hash"), (int) dataBlockSize, (int) ctx.number("hashBlockSize"), blocks, salt);
        } catch (IllegalArgumentException e) {
            throw new RecipeException("verity: " + e.getMessage());
        }
        String root = HexFormat.of().formatHex(new VerityTree(sb).format(data, ctx.output("hash"), (done, total) -> ctx.progress(done, total, "bytes")));
        AtomicFiles.write(ctx.output("roothash"), (root + "\n").getBytes(StandardCharsets.US_ASCII));
        ctx.value("rootHash", root);
        ctx.value("salt", HexFormat.of().formatHex(salt));
        ctx.value("uuid", uuid.toString());
        ctx.log(blocks + " data blocks of " + data.getFileName() + ": root hash " + root);
    }

    private static byte[] salt(String option, Path data) throws IOException {
        if ("-".equals(option)) return new byte[0];
        if (option != null) {
            try {
                return HexFormat.of().parseHex(option);
            } catch (IllegalArgumentException e) {
                throw new RecipeException("verity: salt '" + option + "' is not hex");
            }
        }
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
