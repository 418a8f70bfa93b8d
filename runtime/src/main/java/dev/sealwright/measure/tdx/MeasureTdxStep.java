package dev.sealwright.measure.tdx;

import dev.sealwright.engine.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Cached step {@code measure.tdx}: the same prediction as {@code sealwright measure tdx}, written to
 * {@code expected.json} (mrtd, rtmr0..3, missing, events). Option names match the CLI flags.
 */
public final class MeasureTdxStep implements StepType {
    @Override public String name() { return "measure.tdx"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "predict TDX MRTD and RTMR0..3 from firmware and boot inputs"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("firmware", Input.class, "combined OVMF/TDVF image (OVMF.fd)"),
                OptionSpec.optional("kernel", Input.class, null, "kernel (bzImage) for direct boot"),
                OptionSpec.optional("uki", Input.class, null, "UKI for direct boot"),
                OptionSpec.optional("initrd", Input.class, null, "initrd (with kernel)"),
                OptionSpec.optional("cmdline", String.class, null, "kernel command line (with kernel)"),
                OptionSpec.optional("cpus", Long.class, 1L, "vCPUs (ACPI only)"),
                OptionSpec.optional("memory", String.class, "2G", "guest RAM, e.g. 2G"),
                OptionSpec.optional("profile", String.class, "qemu-10", "host-stack profile (sealwright measure profiles)"),
                OptionSpec.optional("secureBoot", String.class, null, "absent|0|1: override the profile's SecureBoot measurement"),
                OptionSpec.optional("acpi", Input.class, null, "directory with table-loader, rsdp, tables captured from the target"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("expected", "expected.json", "predicted registers and events"),
                OutputSpec.value("mrtd", "predicted MRTD (hex)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        if (ctx.option("kernel") != null && ctx.option("uki") != null) throw new RecipeException("measure.tdx: give kernel or uki, not both");
        TdxProfile profile = TdxProfile.named(ctx.string("profile"));
        if (ctx.string("secureBoot") != null) profile = profile.withSecureBoot(TdxProfile.SecureBootMeasurement.parse(ctx.string("secureBoot")));
        Path kernel = ctx.option("uki") != null ? ctx.path("uki") : ctx.option("kernel") != null ? ctx.path("kernel") : null;
        TdxInputs.AcpiBlobs acpi = null;
        if (ctx.option("acpi") != null) {
            Path dir = ctx.path("acpi");
            acpi = new TdxInputs.AcpiBlobs(read(dir.resolve("table-loader")), read(dir.resolve("rsdp")), read(dir.resolve("tables")));
        }
        Path firmware = ctx.path("firmware");
        TdxInputs in = new TdxInputs(read(firmware), firmware.getFileName().toString(), MemorySize.parse(ctx.string("memory")),
                (int) ctx.number("cpus"), acpi, kernel == null ? null : read(kernel), kernel == null ? null : kernel.getFileName().toString(),
                ctx.option("uki") != null, ctx.option("initrd") != null ? read(ctx.path("initrd")) : null, ctx.string("cmdline"), profile, null);
        TdxPrediction p = TdxPrediction.predict(in);
        AtomicFiles.write(ctx.output("expected"), Json.pretty(TdxPredictionJson.document(p, profile)).getBytes(StandardCharsets.UTF_8));
        ctx.value("mrtd", p.mrtdHex());
        for (int i = 0; i < 4; i++)
            ctx.log("rtmr" + i + " " + (p.rtmrHex(i) != null ? p.rtmrHex(i) : "not computed: " + String.join("; ", p.missing().get(i))));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RecipeException(file + ": cannot read: " + e.getMessage());
        }
    }
}
