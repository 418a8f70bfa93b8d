package dev.sealwright.deploy;

import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.disk.DiskEncryptStep;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputRef;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;
import dev.sealwright.vm.SerialLog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code disk.sealCheck}: did the key {@code disk.deploy} sealed into an image unseal in a boot of it? Reads
 * the console of a running {@code launch} (its {@code serialLog} value) until the guest's TPM report, then
 * runs {@link SealCheck}: values {@code pcr_mismatches} and {@code unsealed}. LIVE: every run checks the
 * boot that run made.
 */
public final class SealCheckStep implements StepType {
    /** The report's end, or a guest that will never print it (panic, power-off, reboot; the first in the log wins). */
    private static final Pattern REPORT_OR_GONE = Pattern.compile(SealCheck.REPORT_END.pattern() + "|---\\[ end Kernel panic|reboot: (Power down|Restarting system)");
    @Override public String name() { return "disk.sealCheck"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "check, from a launched guest's TPM report, whether the key disk.deploy sealed unseals in that boot"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("console", Object.class, "serial log of the booted VM (the launch step's serialLog value)"),
                OptionSpec.required("image", Input.class, "the image that VM boots (its LUKS2 systemd-tpm2 token is unsealed)"),
                OptionSpec.required("tpmState", Input.class, "the swtpm state the VM's vTPM started from (launch tpmState)").checked(OptionChecks.directory()),
                OptionSpec.required("sealedTo", Input.class, "PCR values JSON the token was sealed to (disk.deploy's pcrValues)"),
                OptionSpec.optional("timeout", Long.class, 900L, "seconds to wait for the guest's TPM report (kernel command line sealwright.tpmreport=1)").checked(OptionChecks.range(1, 86400)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.value("pcr_mismatches", "how many sealed-to PCR values differ from the guest's"),
                OutputSpec.value("unsealed", "the TPM, with the guest's PCRs, unseals the token and its secret opens the token's keyslot"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        List<String> t = new ArrayList<>(List.of("swtpm", "tpm2"));
        t.addAll(DiskEncryptStep.imageTools(options.get("image")));
        return t;
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Object console = ctx.option("console") instanceof OutputRef ? ctx.upstreamValue("console") : ctx.option("console");
        if (console == null || console.toString().isEmpty()) throw new RecipeException("disk.sealCheck: console is empty (the launch was a dry run?)");
        Path log = Path.of(console.toString());
        String seen = SerialLog.waitFor(log, REPORT_OR_GONE, Duration.ofSeconds(ctx.number("timeout")));
        if (!SealCheck.REPORT_END.matcher(seen).find())
            throw new RecipeException("disk.sealCheck: the guest stopped before its TPM report: " + OneLine.of(seen.strip()) + " (console: " + log + ")");
        List<String> lines = List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).replace("\r", "").split("\n"));
        SealCheck.Result r = SealCheck.check(lines, ctx.path("sealedTo"), ctx.path("image"), ctx.path("tpmState"), ctx.tools());
        ctx.value("pcr_mismatches", r.mismatches().size());
        ctx.value("unsealed", r.unsealed());
        ctx.log(SealCheck.summary(r));
    }
}
