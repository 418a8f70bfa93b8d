package dev.sealwright.enroll.quex;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code vault { }}: the software vault of a recipe. The first execution creates its seed (0600) and
 * its SIMULATED SGX identity (identity.pem 0600, sim-root.pem) in the step's keep directory of the
 * workspace; any later execution (e.g. {@code --fresh}) reuses them and nothing ever overwrites them
 * (a new seed would change every key the vault hands out). The step is cached: its outputs are
 * public and stable as long as the keep directory is, namely the root a TD must pin and vault.json
 * naming the secret files for the enroll step (paths, never contents).
 */
public final class VaultInitStep implements StepType {
    @Override public String name() { return "vault.init"; }
    @Override public String dslName() { return "vault"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "software vault: seed and SIMULATED SGX identity, created once per workspace, never overwritten"; }

    @Override
    public List<OptionSpec> options() {
        return List.of();
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("root", "sim-root.pem", "root certificate of the SIMULATED SGX identity (the TD pins it)"),
                OutputSpec.file("vault", "vault.json", "where the seed and identity are kept (paths only) and the vault MRENCLAVE"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path keep = ctx.keepDir();
        VaultInit.Result r = VaultInit.run(new VaultInit.Request(keep.resolve("seed.dat"), keep, VaultInit.Existing.REUSE));
        Path seed = r.seed(), identity = r.identityFile();
        ctx.log(r.seedCreated() ? "created a vault seed " + seed + " (0600); keep it: every key this vault hands out derives from it"
                : "reusing the vault seed " + seed + " (never overwritten)");
        ctx.log(r.identityCreated() ? "created a SIMULATED SGX vault identity " + identity + " (0600); its quotes verify only against its own root"
                : "reusing the SIMULATED SGX vault identity " + identity);
        SimulatedSgxIdentity id = r.identity();
        AtomicFiles.write(ctx.output("root"), id.rootPem().getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("vault", "software (SIMULATED SGX identity)");
        doc.put("mrEnclave", r.mrEnclaveHex());
        doc.put("seed", seed.toString());
        doc.put("identity", identity.toString());
        AtomicFiles.write(ctx.output("vault"), Json.pretty(doc).getBytes(StandardCharsets.UTF_8));
    }
}
