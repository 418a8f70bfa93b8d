package dev.sealwright.uefi;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code uefiConfig { vars file('/usr/share/OVMF/OVMF_VARS_4M.ms.fd') }}: the uefi-config.json of
 * encrypt-cloud-image (PK, KEK, db, dbx) read from an OVMF variable store, as {@code sealwright uefi config --vars}.
 */
public final class UefiConfigStep implements StepType {
    @Override public String name() { return "uefi.config"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "uefi-config.json (PK, KEK, db, dbx) from an OVMF variable store"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.required("vars", Input.class, "OVMF_VARS file (EDK2 authenticated variable store)"),
                OptionSpec.optional("omitsReadyToBoot", Boolean.class, false, "the firmware does not measure \"Calling EFI Application from Boot Option\""));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("config", "uefi-config.json", "PK, KEK, db, dbx as base64 signature lists"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path vars = ctx.path("vars");
        UefiConfig config = UefiConfig.fromVariableStore(VariableStore.read(InputFiles.read(vars, VariableStore.FILE_BOUND), vars.toString()), ctx.flag("omitsReadyToBoot"));
        AtomicFiles.write(ctx.output("config"), Json.pretty(config.toJson()).getBytes(StandardCharsets.UTF_8));
        ctx.log("uefi-config from " + vars.getFileName() + ": PK " + (config.pk() == null ? "absent" : config.pk().length + " bytes")
                + ", db " + (config.db() == null ? "absent" : config.db().length + " bytes"));
    }
}
