package dev.sealwright.disk;

import dev.sealwright.disk.format.RawDisk;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.engine.FileRef;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputRef;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.base.Progress;
import dev.sealwright.engine.StepType;
import java.util.List;
import java.util.Map;

/**
 * {@code disk.encrypt}: the rootfs partition of a GPT disk image becomes a LUKS2 volume
 * (encrypt-cloud-image parameters), see {@link DiskEncryptor}. Salts and the volume key are
 * random unless a {@code seed} secret makes the output reproducible.
 */
public final class DiskEncryptStep implements StepType {
    @Override public String name() { return "disk.encrypt"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "encrypt a disk image's rootfs partition into LUKS2 (pure Java, no root)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("image", Input.class, "GPT disk image: raw, fixed or dynamic VHD, or qcow2 (the output keeps its format)"),
                OptionSpec.required("passphrase", Secret.class, "passphrase of keyslot 0"),
                OptionSpec.optional("partition", String.class, DiskEncryptor.Request.DEFAULT_PARTITION, "rootfs, esp, a partition UUID or name"),
                OptionSpec.optional("label", String.class, DiskEncryptor.Request.DEFAULT_LABEL, "LUKS2 label"),
                OptionSpec.optional("sectorSize", Long.class, (long) DiskEncryptor.Request.DEFAULT_SECTOR_SIZE, "LUKS2 sector size: 512 or 4096").checked(OptionChecks.oneOf(512, 4096)),
                OptionSpec.optional("seed", Secret.class, null, "derive salts and the volume key from this secret: reproducible output"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("image", "disk.img", "the disk image with the encrypted partition"),
                OutputSpec.value("luksUuid", "UUID of the new LUKS2 volume"));
    }

    /** qemu-img reads and writes a qcow2 image; the rest is pure Java. */
    @Override
    public List<String> tools(Map<String, Object> options) {
        return imageTools(options.get("image"));
    }

    /**
     * What a step declares for a disk image option ({@link RawDisk#tools}): for a user file, what its format
     * takes; for another step's output, qemu-img, as its format is unknown until it exists; nothing when unset.
     */
    public static List<String> imageTools(Object option) {
        if (option instanceof FileRef f) return RawDisk.tools(f.path());
        return option instanceof OutputRef ? RawDisk.tools(null) : List.of();
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Secret seed = ctx.option("seed") == null ? null : ctx.secret("seed");
        var request = new DiskEncryptor.Request(ctx.path("image"), ctx.output("image"), ctx.string("partition"), ctx.string("label"),
                (int) ctx.number("sectorSize"), ctx.secret("passphrase").reveal(), seed == null ? null : Entropy.deterministic(seed.reveal()));
        DiskEncryptor.Result r = DiskEncryptor.encrypt(request, Progress.NONE, ctx.tools());
        ctx.value("luksUuid", r.luksUuid());
        ctx.log("partition " + r.before().number() + " encrypted into LUKS2 " + r.luksUuid() + " (" + r.before().sizeLbas() * 512 + " bytes)");
    }
}
