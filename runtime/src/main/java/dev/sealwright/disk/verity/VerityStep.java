package dev.sealwright.disk.verity;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code verity { data rootfs.image }}: the dm-verity superblock and hash tree of a data image in a
 * separate hash file, as {@code veritysetup format DATA HASH} writes them, and the root hash that goes
 * on the kernel command line ({@code roothash=}), made by {@link VerityFormat} as {@code sealwright verity format}
 * makes them. Salt and UUID default to values derived from the data, so the same data gives the same bytes.
 */
public final class VerityStep implements StepType {
    @Override public String name() { return "verity"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "dm-verity hash tree and root hash of a data image (veritysetup format compatible)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("data", Input.class, "the data image (e.g. a rootfs filesystem image)"),
                OptionSpec.optional("salt", String.class, null, "salt as hex, '-' for none (default: SHA-256 of the data)").checked(OptionChecks.parsedBy(VerityFormat::salt)),
                OptionSpec.optional("uuid", String.class, null, "superblock UUID (default: derived from the salt)").checked(OptionChecks.matches("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "a UUID")),
                OptionSpec.optional("hash", String.class, VerityFormat.DEFAULT_HASH, "sha256, sha512 or sha1").checked(OptionChecks.oneOf("sha256", "sha512", "sha1")),
                OptionSpec.optional("dataBlockSize", Long.class, (long) VerityFormat.DEFAULT_BLOCK_SIZE, "data block size in bytes").checked(OptionChecks.acceptedBy(n -> VerityFormat.blockSize("dataBlockSize", OptionChecks.clampToInt(n)))),
                OptionSpec.optional("hashBlockSize", Long.class, (long) VerityFormat.DEFAULT_BLOCK_SIZE, "hash block size in bytes").checked(OptionChecks.acceptedBy(n -> VerityFormat.blockSize("hashBlockSize", OptionChecks.clampToInt(n)))));
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
        VerityFormat.Result r = VerityFormat.run(new VerityFormat.Request(data, ctx.string("salt"), ctx.string("uuid"), ctx.string("hash"),
                Math.toIntExact(ctx.number("dataBlockSize")), Math.toIntExact(ctx.number("hashBlockSize"))), ctx.output("hash"),
                (done, total) -> ctx.progress(done, total, "bytes"));
        String root = r.rootHex();
        AtomicFiles.write(ctx.output("roothash"), (root + "\n").getBytes(StandardCharsets.US_ASCII));
        ctx.value("rootHash", root);
        ctx.value("salt", r.saltHex());
        ctx.value("uuid", r.superblock().uuid().toString());
        ctx.log(r.superblock().dataBlocks() + " data blocks of " + data.getFileName() + ": root hash " + root);
    }
}
