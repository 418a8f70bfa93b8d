package dev.sealwright.kbs;

import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.disk.luks2.Luks2FormatOptions;
import dev.sealwright.disk.luks2.Luks2Kdf;
import dev.sealwright.disk.luks2.Luks2Volume;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kbs.luksVolume { filesystem fs.out; resource 'luks-root' }}: the cczoo flow's encrypted
 * disk. The first execution generates a random 32-byte key in the step's keep directory of the
 * workspace ({@code secrets.json}, 0600, never overwritten, never logged); every execution wraps
 * the filesystem image in a whole-disk LUKS2 volume (pure Java, aes-xts-plain64, keyslot 0 opened by
 * that key as a key file) and writes the broker's secrets file, 0600, as an output for {@code kbs}.
 */
public final class LuksVolumeStep implements StepType {
    @Override public String name() { return "kbs.luksVolume"; }
    @Override public String dslName() { return "luksVolume"; }
    @Override public int version() { return 2; } // 2: its secret output is recorded by HMAC; entries of 1 hold its SHA-256
    @Override public String description() { return "LUKS2 disk of a filesystem image, keyed by a generated secret for the broker (cczoo)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("filesystem", Input.class, "filesystem image to encrypt (e.g. from mkfs.ext4 -d)"),
                OptionSpec.optional("resource", String.class, "luks-root", "broker resource name of the key"),
                OptionSpec.optional("label", String.class, "cczoo-data", "LUKS2 label"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("disk", "disk.img", "the LUKS2 volume (whole disk; cryptsetup open /dev/vdX)"),
                OutputSpec.secret("secrets", "secrets.json", "the broker's secrets file {resource: {base64: key}}, mode 0600"),
                OutputSpec.value("luksUuid", "UUID of the LUKS2 header"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        String resource = ctx.string("resource");
        if (!resource.matches("[A-Za-z0-9._-]{1,64}")) throw new RecipeException("kbs.luksVolume: resource '" + resource + "' must be 1-64 of A-Z a-z 0-9 . _ -");
        Path fs = ctx.path("filesystem");
        long size = Files.size(fs);
        if (size == 0 || size % 512 != 0) throw new RecipeException("kbs.luksVolume: " + fs + ": filesystem image of " + size + " bytes is not a positive multiple of 512");
        byte[] key = key(ctx, resource);
        try {
            Map<String, Object> secrets = new LinkedHashMap<>();
            secrets.put(resource, Map.of("base64", Base64.getEncoder().encodeToString(key)));
            AtomicFiles.writeSecret(ctx.output("secrets"), Json.pretty(secrets).getBytes(StandardCharsets.UTF_8), true);
            // the key is 256 random bits: PBKDF2 ×1000 (as encrypt-cloud-image) keeps the guest's unlock fast under TCG
            Luks2FormatOptions o = new Luks2FormatOptions().kdf(Luks2Kdf.pbkdf2("sha256", 1000, new byte[0])).digestIterations(1000)
                    .label(ctx.string("label"));
            Path tmp = ctx.workDir().resolve("disk.img.tmp");
            Files.deleteIfExists(tmp);
            try (var raf = new java.io.RandomAccessFile(tmp.toFile(), "rw")) {
                raf.setLength(o.dataOffset() + size);
            }
            Entropy entropy = Entropy.secure();
            try (Luks2Volume v = Luks2Volume.format(tmp, o, key, entropy); InputStream in = Files.newInputStream(fs)) {
                byte[] volumeKey = v.unlock(key).volumeKey();
                byte[] buf = new byte[1 << 20];
                long off = 0;
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    v.write(volumeKey, off, buf, 0, n);
                    off += n;
                }
                Arrays.fill(volumeKey, (byte) 0);
                ctx.value("luksUuid", v.header().uuid());
            }
            Files.move(tmp, ctx.output("disk"), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            ctx.log("encrypted " + size + " bytes of " + fs.getFileName() + " into LUKS2 (aes-xts-plain64); key for resource '" + resource
                    + "' in the broker's secrets file (0600)");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The workspace's key for this step: generated once (0600), then reused, never overwritten. */
    private static byte[] key(StepContext ctx, String resource) throws java.io.IOException {
        Path file = ctx.keepDir().resolve(resource + ".key");
        if (Files.exists(file)) {
            ctx.log("reusing the generated key " + file + " (never overwritten)");
            byte[] k = Files.readAllBytes(file);
            if (k.length != 32) throw new RecipeException(file + ": expected a 32-byte key, found " + k.length + " bytes");
            return k;
        }
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        AtomicFiles.writeSecret(file, k, false);
        ctx.log("generated a 32-byte key " + file + " (0600)");
        return k;
    }
}
