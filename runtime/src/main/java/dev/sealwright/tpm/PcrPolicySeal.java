package dev.sealwright.tpm;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.BadValueException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Seal a secret offline under PolicyPCR(selection, predicted values) for an SRK given as a TPM2B_PUBLIC
 * file; what {@code sealwright tpm seal} and the {@code tpm.seal} step do. Errors name the file at fault.
 */
public record PcrPolicySeal(TpmPublic srk, PcrSelection selection, byte[] policy, OfflineSeal.SealedBlob blob) {
    public static final String TOKEN_FILE = "systemd-tpm2-token.json";

    public static PcrPolicySeal seal(Path srkPub, String pcrs, Path pcrValues, byte[] secret, String secretSource) {
        return seal(srkPub, pcrs, PcrValues.read(pcrValues), pcrValues.toString(), secret, secretSource);
    }

    /** As {@link #seal(Path, String, Path, byte[], String)} with values computed elsewhere, {@code valuesSource} naming them. */
    public static PcrPolicySeal seal(Path srkPub, String pcrs, PcrValues values, String valuesSource, byte[] secret, String secretSource) {
        TpmPublic srk = SealedFiles.readPublic(srkPub);
        PcrSelection selection;
        try {
            selection = PcrSelection.parse(pcrs);
        } catch (TpmFormatException e) {
            throw new BadValueException("pcrs", "pcrs: " + e.getMessage());
        }
        byte[] pcrDigest;
        try {
            pcrDigest = values.digest(selection, TpmHash.SHA256);
        } catch (RecipeException e) {
            throw new RecipeException(valuesSource + ": " + e.getMessage());
        }
        byte[] policy = new PolicyDigest(TpmHash.SHA256).pcr(selection, pcrDigest).digest();
        try {
            return new PcrPolicySeal(srk, selection, policy, OfflineSeal.seal(srk, secret, policy, new SecureRandom()));
        } catch (TpmFormatException e) {
            throw new RecipeException((e.getMessage().startsWith("the secret") ? secretSource : srkPub.toString()) + ": " + e.getMessage());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** The systemd-tpm2 LUKS2 token for this blob, unlocking {@code keyslot}. */
    public SystemdTpm2Token token(int keyslot) {
        return SystemdTpm2Token.forSealedBlob(keyslot, blob, selection, policy, srk);
    }

    /** Writes the token JSON 0600; refuses to replace an existing file unless {@code overwrite}. */
    public static void writeToken(Path file, SystemdTpm2Token token, boolean overwrite) {
        try {
            AtomicFiles.writeSecret(file, Json.pretty(token.toJson()).getBytes(StandardCharsets.UTF_8), overwrite);
        } catch (FileAlreadyExistsException e) {
            throw new RecipeException(file + ": exists; not overwriting (use --force)");
        } catch (IOException e) {
            throw new RecipeException(file + ": cannot write: " + e.getMessage());
        }
    }

    /** Fails early, before any file is written, if {@code file} exists and may not be replaced. */
    public static void refuseExisting(Path file, boolean overwrite) {
        if (file != null && !overwrite && Files.exists(file)) throw new RecipeException(file + ": exists; not overwriting (use --force)");
    }
}
