package dev.sealwright.uefi;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The one uefi-config.json operation: {@code sealwright uefi config} and the {@code uefi.config} step both
 * build a {@link Request} and call {@link #run}.
 */
public final class UefiConfigBuild {
    private UefiConfigBuild() {}

    /** Exactly one of {@code vars} (an OVMF variable store) and {@code certs} (a directory, see {@link UefiCertDirectory}). */
    public record Request(Path vars, Path certs, boolean omitsReadyToBoot) {}

    public static UefiConfig run(Request r) throws IOException {
        if ((r.vars() == null) == (r.certs() == null)) throw new RecipeException("uefi config needs exactly one of vars (a file) and certs (a directory)");
        return r.certs() != null ? UefiCertDirectory.read(r.certs(), r.omitsReadyToBoot())
                : UefiConfig.fromVariableStore(VariableStore.read(InputFiles.read(r.vars(), VariableStore.FILE_BOUND), r.vars().toString()), r.omitsReadyToBoot());
    }

    /** uefi-config.json: the same bytes from the verb and the step. */
    public static byte[] json(UefiConfig config) {
        return Json.pretty(config.toJson()).getBytes(StandardCharsets.UTF_8);
    }
}
