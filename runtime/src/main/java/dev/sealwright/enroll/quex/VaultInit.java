package dev.sealwright.enroll.quex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A software vault: its seed (0600) and, when asked, its SIMULATED SGX identity (identity.pem 0600, sim-root.pem).
 * The one operation behind {@code sealwright vault init} (refuses to replace without --force) and the
 * {@code vault.init} step (reuses what its keep directory holds, so the vault outlives --fresh).
 */
public final class VaultInit {
    private VaultInit() {}

    /** What happens to a seed or identity that is already there. */
    public enum Existing { REFUSE, REPLACE, REUSE }

    /** {@code identityDir} null: a seed only. */
    public record Request(Path seed, Path identityDir, Existing existing) {}

    /** The vault's files, whether each was made now, and its identity (null without one). */
    public record Result(Path seed, boolean seedCreated, Path identityFile, boolean identityCreated, SimulatedSgxIdentity identity) {
        /** The MRENCLAVE the vault's SIMULATED quotes carry (what a TD pins with the root). */
        public String mrEnclaveHex() {
            return HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave());
        }
    }

    public static Result run(Request r) {
        boolean reuse = r.existing() == Existing.REUSE, replace = r.existing() == Existing.REPLACE;
        boolean newSeed = !(reuse && Files.exists(r.seed()));
        if (newSeed) SoftwareVault.initSeed(r.seed(), replace);
        if (r.identityDir() == null) return new Result(r.seed(), newSeed, null, false, null);
        Path file = r.identityDir().resolve("identity.pem");
        SimulatedSgxIdentity id;
        boolean newIdentity = !(reuse && Files.exists(file));
        if (newIdentity) {
            id = SimulatedSgxIdentity.generate();
            id.save(r.identityDir(), replace);
        } else {
            id = SimulatedSgxIdentity.loadFile(file);
        }
        return new Result(r.seed(), newSeed, file, newIdentity, id);
    }
}
