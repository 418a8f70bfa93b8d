package dev.sealwright.image;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.image.oci.ImageLoader;
import dev.sealwright.image.oci.ImageReference;
import dev.sealwright.image.pe.AuthenticodeSigner;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.SigningKeys;
import dev.sealwright.tools.NativeHelpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** {@code pack}: container image + kernel → reproducible initramfs and UKI whose init runs the entrypoint. */
public final class PackStep implements StepType {
    @Override public String name() { return "pack"; }
    @Override public int version() { return 3; }
    @Override public String description() { return "pack a container image and a kernel into a reproducible initramfs and UKI"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("image", Input.class, null, "OCI layout directory, docker-archive file or root directory"),
                OptionSpec.optional("transport", String.class, "oci", "how to read image: oci, docker-archive or dir").checked(OptionChecks.oneOf("oci", "docker-archive", "dir")),
                OptionSpec.optional("tag", String.class, null, "manifest to use from an OCI layout with several"),
                OptionSpec.optional("dockerImage", String.class, null, "read this image from the Docker engine (docker save) instead of 'image'"),
                OptionSpec.required("kernel", Input.class, "kernel directory (boot/vmlinuz-R, lib/modules/R), e.g. a kernel step"),
                OptionSpec.optionalList("modules", String.class, "kernel modules to load at boot (with their modules.dep closure)"),
                OptionSpec.optional("teeModules", Boolean.class, true, "also pack configfs, tdx_guest and sev_guest when the kernel has them as modules (TEE quotes)"),
                OptionSpec.optional("cmdline", String.class, "console=ttyS0", "kernel command line (rdinit=/sealwright/init is appended)"),
                OptionSpec.optional("sourceDateEpoch", Long.class, 0L, "mtime of every initramfs entry (SOURCE_DATE_EPOCH)").checked(OptionChecks.range(0, 253402300799L)),
                OptionSpec.optional("gzipLevel", Long.class, 9L, "gzip level of the initramfs, 1-9").checked(OptionChecks.range(1, 9)),
                OptionSpec.optional("poweroff", Boolean.class, true, "power the guest off when the workload exits"),
                OptionSpec.optionalList("command", String.class, "argv to run instead of the image's Entrypoint + Cmd (needed for dir: images)"),
                OptionSpec.optionalList("hooks", String.class, "programs in the image run as root before the workload; each must exit 0"),
                OptionSpec.optional("stub", Input.class, null, "systemd-stub to build on (default: Debian's linuxx64.efi.stub)"),
                OptionSpec.optional("signingKey", Secret.class, null, "PEM private key: sign the UKI for Secure Boot (Authenticode)"),
                OptionSpec.optional("signingCert", Input.class, null, "PEM certificate matching signingKey"),
                OptionSpec.optional("enrollVaultMrenclave", String.class, null, "quex enrollment: MRENCLAVE (hex) of the vault the TD trusts").checked(OptionChecks.hex(32, true)),
                OptionSpec.optional("enrollRoot", Input.class, null, "quex enrollment: PEM root the vault's quote must chain to"),
                OptionSpec.optional("enrollMask", String.class, "04030000c70000", "quex enrollment: key-request mask (14 hex digits)").checked(OptionChecks.hex(7, true)),
                OptionSpec.optional("enrollSimulatedTdReport", String.class, null,
                        "quex enrollment in a non-TD guest: guest path of a SIMULATED TD report template (e.g. /dev/vdb)"),
                OptionSpec.optional("enrollSecretEnv", Boolean.class, true, "also give the key to the workload as TD_SECRET_KEY (quex compatibility)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.file("initramfs", "initramfs.cpio.gz", "the newc initramfs (gzip)"),
                OutputSpec.file("uki", "uki.efi", "the Unified Kernel Image"),
                OutputSpec.value("authenticodeSha256", "Authenticode SHA-256 of the UKI"),
                OutputSpec.value("kernelRelease", "uname -r of the packed kernel"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        List<String> t = new ArrayList<>();
        if (options.get("stub") == null) t.add("systemd-stub");
        if (options.get("dockerImage") != null) t.add("docker");
        return t;
    }

    private static Packer.Enrollment enrollment(StepContext ctx) {
        String mrenclave = ctx.string("enrollVaultMrenclave");
        if (mrenclave == null && ctx.option("enrollRoot") == null) {
            if (ctx.string("enrollSimulatedTdReport") != null) throw new RecipeException("pack: enroll needs vaultMrenclave and root");
            return null;
        }
        if (mrenclave == null || ctx.option("enrollRoot") == null) throw new RecipeException("pack: enroll needs both vaultMrenclave and root");
        if (!mrenclave.matches("[0-9a-fA-F]{64}")) throw new RecipeException("pack: enroll vaultMrenclave must be 64 hex digits, got '" + mrenclave + "'");
        String mask = ctx.string("enrollMask");
        if (!mask.matches("[0-9a-fA-F]{14}")) throw new RecipeException("pack: enroll mask must be 14 hex digits, got '" + mask + "'");
        String sim = ctx.string("enrollSimulatedTdReport");
        if (sim != null && !sim.startsWith("/")) throw new RecipeException("pack: enroll simulatedTdReport must be an absolute guest path, got '" + sim + "'");
        if (sim != null) ctx.log("enrollment uses a SIMULATED TD report (" + sim + " in the guest): for non-TD guests only");
        return new Packer.Enrollment(NativeHelpers.path("enroll-agent"), ctx.path("enrollRoot"), mrenclave.toLowerCase(), mask.toLowerCase(), sim,
                ctx.flag("enrollSecretEnv"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        String docker = ctx.string("dockerImage");
        ImageReference ref;
        if (docker != null) {
            if (ctx.option("image") != null) throw new RecipeException("pack: give either image or dockerImage, not both");
            ref = new ImageReference(ImageReference.Transport.DOCKER_DAEMON, docker, null);
        } else {
            if (ctx.option("image") == null) throw new RecipeException("pack: option 'image' (or 'dockerImage') is required");
            ref = ImageReference.parse(ctx.string("transport") + ":" + ctx.path("image") + (ctx.string("tag") == null ? "" : ":" + ctx.string("tag")));
        }
        long level = ctx.number("gzipLevel");
        if (level < 1 || level > 9) throw new RecipeException("pack: gzipLevel must be 1-9, got " + level);
        ImageLoader.Image image = new ImageLoader(ctx.workDir(), ctx.tools(), ctx::log, (done, total) -> ctx.progress(done, total, "bytes")).load(ref);
        Path stub = ctx.option("stub") != null ? ctx.path("stub") : ctx.tools().find("systemd-stub");
        @SuppressWarnings("unchecked") List<String> modules = (List<String>) ctx.option("modules");
        @SuppressWarnings("unchecked") List<String> hooks = (List<String>) ctx.option("hooks");
        @SuppressWarnings("unchecked") List<String> command = (List<String>) ctx.option("command");
        Packer.Settings s = new Packer.Settings(ctx.path("kernel"), modules, ctx.flag("teeModules") ? Packer.TEE_GUEST_MODULES : List.of(), ctx.string("cmdline"), ctx.number("sourceDateEpoch"),
                (int) level, ctx.flag("poweroff"), hooks, command, NativeHelpers.path("init"), stub, enrollment(ctx));
        Packer.Result r = new Packer(ctx.workDir(), ctx::log, (done, total) -> ctx.progress(done, total, "bytes")).pack(image, ref.toString(), s, ctx.output("initramfs"), ctx.output("uki"));
        byte[] uki = Files.readAllBytes(ctx.output("uki"));
        if ((ctx.option("signingKey") == null) != (ctx.option("signingCert") == null))
            throw new RecipeException("pack: signingKey and signingCert go together");
        if (ctx.option("signingKey") != null) {
            Path cert = ctx.path("signingCert");
            uki = AuthenticodeSigner.sign(uki, "uki.efi", SigningKeys.privateKey(ctx.secret("signingKey").reveal(), "signingKey"),
                    SigningKeys.certificate(Files.readAllBytes(cert), cert.toString()));
            AtomicFiles.write(ctx.output("uki"), uki);
            ctx.log("signed the UKI with " + cert.getFileName());
        }
        ctx.value("authenticodeSha256", HexFormat.of().formatHex(PeFile.authenticodeDigest(uki, "SHA-256", "uki.efi")));
        ctx.value("kernelRelease", r.kernelRelease());
        ctx.log("packed " + r.entries() + " entries, kernel " + r.kernelRelease() + ", modules " + r.modules());
    }
}
