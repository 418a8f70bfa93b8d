package dev.sealwright.cloud;

import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.measure.shim.GrubBootConfig;
import dev.sealwright.tools.Apt;
import dev.sealwright.tools.Tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code shimCloudImage { kernel debian('linux-image-6.12.*-cloud-amd64'); initrd guest.initramfs; root rootfs.filesystem }}:
 * a GPT disk that boots Debian's shim-signed → grub-efi-amd64-signed → the Debian-signed kernel under
 * Microsoft's Secure Boot keys ({@link ShimCloudDisk}). shim and GRUB are fetched with
 * {@code apt-get download} (never installed); their versions are values of the step.
 */
public final class ShimCloudImageStep implements StepType {
    static final String SHIM_PACKAGE = "shim-signed", GRUB_PACKAGE = "grub-efi-amd64-signed";
    static final String SHIM_FILE = "usr/lib/shim/shimx64.efi.signed", GRUB_FILE = "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed";

    @Override public String name() { return "image.shimCloud"; }
    @Override public String dslName() { return "shimCloudImage"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "a GPT cloud-image disk booting Debian's shim -> GRUB -> signed kernel (ESP + root partition)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("kernel", Input.class, "kernel directory (boot/vmlinuz-R), e.g. debian('linux-image-6.12.*-cloud-amd64')"),
                OptionSpec.required("initrd", Input.class, "the initrd GRUB loads"),
                OptionSpec.optional("cmdline", String.class, "console=ttyS0", "kernel command line (words of [A-Za-z0-9=/._,:+-])").checked(OptionChecks.matches("[A-Za-z0-9=/._,:+ -]*", "words of [A-Za-z0-9=/._,:+-]")),
                OptionSpec.optional("root", Input.class, null, "the root partition's contents (e.g. an ext4 image); default zeros"),
                OptionSpec.optional("rootSize", Long.class, 16L, "root partition size in MiB (at least the root image's size)").checked(OptionChecks.range(1, 1 << 20)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("image", "disk.img", "raw GPT disk: ESP (1) and root (2)"),
                OutputSpec.value("shimVersion", "shim-signed version used"),
                OutputSpec.value("grubVersion", "grub-efi-amd64-signed version used"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        return List.of("sgdisk", "mkfs.fat", "mcopy", "mmd", "apt-get", "dpkg-deb");
    }

    /** The shim-signed and grub-efi-amd64-signed versions apt would fetch now (the kernel's enters through its input). */
    @Override
    public Map<String, String> keyFacts(Map<String, Object> options, Tools tools) {
        if (tools.locate("apt-cache").isEmpty()) return Map.of();
        Apt apt = new Apt(tools, l -> { });
        Map<String, String> facts = new LinkedHashMap<>();
        try {
            for (String p : List.of(SHIM_PACKAGE, GRUB_PACKAGE)) facts.put("package " + p, apt.candidate(p).orElse("none"));
        } catch (RuntimeException e) {   // apt-cache failed: the step itself will say why when it runs
            return Map.of("packages", "unknown (apt-cache policy failed)");
        }
        return facts;
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path shimRoot = DebianPackage.fetch(ctx.tools(), DebianPackage.defaultCacheRoot(), SHIM_PACKAGE, ctx::log);
        Path grubRoot = DebianPackage.fetch(ctx.tools(), DebianPackage.defaultCacheRoot(), GRUB_PACKAGE, ctx::log);
        Path kernelDir = ctx.path("kernel");
        Path vmlinuz;
        try (Stream<Path> s = Files.isDirectory(kernelDir.resolve("boot")) ? Files.list(kernelDir.resolve("boot")) : Stream.empty()) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).toList();
            if (found.size() != 1) throw new RecipeException("image.shimCloud: kernel " + kernelDir + " must hold exactly one boot/vmlinuz-*, found " + found.size());
            vmlinuz = found.get(0);
        }
        GrubBootConfig cfg = new GrubBootConfig("/boot/vmlinuz", "/boot/initrd.img", ctx.string("cmdline"));
        ShimCloudDisk.write(ctx.tools(), new ShimCloudDisk.Inputs(shimRoot.resolve(SHIM_FILE), grubRoot.resolve(GRUB_FILE), vmlinuz, ctx.path("initrd"), cfg,
                ctx.option("root") == null ? null : ctx.path("root"), ctx.number("rootSize")), ctx.output("image"));
        ctx.value("shimVersion", version(shimRoot));
        ctx.value("grubVersion", version(grubRoot));
        ctx.log("shim " + version(shimRoot) + " -> GRUB " + version(grubRoot) + " -> " + vmlinuz.getFileName());
    }

    private static String version(Path unpackedRoot) throws java.io.IOException {
        return Files.readString(unpackedRoot.resolveSibling("unpacked.ok")).strip();
    }
}
