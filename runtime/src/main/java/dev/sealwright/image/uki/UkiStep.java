package dev.sealwright.image.uki;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.image.kernel.KernelRoot;
import dev.sealwright.image.pe.PeFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code uki { kernel k; initrd image.initramfs; cmdline 'console=ttyS0'; roothash verity.roothash }}: a
 * Unified Kernel Image on systemd-stub from a kernel directory, an initrd and a command line. With
 * {@code roothash} (a verity step's roothash.txt) the line gets {@code roothash=<hex>}, so the UKI
 * (and so its measurement) pins the dm-verity root: the mkosi / ethrex TDX module layout.
 */
public final class UkiStep implements StepType {
    @Override public String name() { return "uki"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "assemble a UKI (systemd-stub) from kernel, initrd and command line, optionally with roothash="; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("kernel", Input.class, "kernel directory (boot/vmlinuz-R), e.g. a kernel step"),
                OptionSpec.required("initrd", Input.class, "initrd, e.g. a pack step's initramfs"),
                OptionSpec.optional("cmdline", String.class, "console=ttyS0", "kernel command line"),
                OptionSpec.optional("roothash", Input.class, null, "roothash.txt of a verity step: appends roothash=<hex>"),
                OptionSpec.optional("osRelease", String.class, "ID=sealwright\nNAME=\"sealwright UKI\"\n", ".osrel section"),
                OptionSpec.optional("stub", Input.class, null, "systemd-stub to build on (default: Debian's linuxx64.efi.stub)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("uki", "uki.efi", "the Unified Kernel Image"),
                OutputSpec.value("cmdline", "the command line in the .cmdline section"),
                OutputSpec.value("authenticodeSha256", "Authenticode SHA-256 of the UKI"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        return options.get("stub") == null ? List.of("systemd-stub") : List.of();
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path kernel = ctx.path("kernel");
        String release = KernelRoot.release(kernel);
        List<String> words = new ArrayList<>(List.of(ctx.string("cmdline").strip().split("\\s+")));
        if (ctx.option("roothash") != null) {
            String root = Files.readString(ctx.path("roothash")).strip();
            if (!root.matches("[0-9a-f]{40,128}")) throw new RecipeException("uki: " + ctx.path("roothash") + " does not hold a hex root hash");
            words.add("roothash=" + root);
        }
        String cmdline = String.join(" ", words.stream().filter(w -> !w.isEmpty()).toList());
        Path stub = ctx.option("stub") != null ? ctx.path("stub") : ctx.tools().find("systemd-stub");
        byte[] uki = UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(stub), Files.readAllBytes(kernel.resolve("boot/vmlinuz-" + release)),
                Files.readAllBytes(ctx.path("initrd")), cmdline, release, ctx.string("osRelease")), stub.toString());
        AtomicFiles.write(ctx.output("uki"), uki);
        ctx.value("cmdline", cmdline);
        ctx.value("authenticodeSha256", HexFormat.of().formatHex(PeFile.authenticodeDigest(uki, "SHA-256", "uki.efi")));
        ctx.log("UKI for kernel " + release + " with command line: " + cmdline);
    }
}
