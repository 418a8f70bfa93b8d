package dev.sealwright.uefi;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code uefiConfig { vars file('/usr/share/OVMF/OVMF_VARS_4M.ms.fd') }}: the uefi-config.json of
 * encrypt-cloud-image (PK, KEK, db, dbx) read from an OVMF variable store or a certificate directory, by
 * {@link UefiConfigBuild} as {@code sealwright uefi config}.
 */
public final class UefiConfigStep implements StepType {
    @Override public String name() { return "uefi.config"; }
    @Override public int version() { return 2; }
    @Override public String description() { return "uefi-config.json (PK, KEK, db, dbx) from an OVMF variable store"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.optional("vars", Input.class, null, "OVMF_VARS file (EDK2 authenticated variable store)").checked(OptionChecks.regularFile()),
                OptionSpec.optional("certs", Input.class, null, "instead of vars: a directory PK/, KEK/, db/, dbx/ of certificates, hash lists, ESLs (sealwright uefi config --certs)").checked(OptionChecks.directory()),
                OptionSpec.optional("omitsReadyToBoot", Boolean.class, false, "the firmware does not measure \"Calling EFI Application from Boot Option\""));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("config", "uefi-config.json", "PK, KEK, db, dbx as base64 signature lists"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path from = ctx.path("vars") != null ? ctx.path("vars") : ctx.path("certs");
        UefiConfig config = UefiConfigBuild.run(new UefiConfigBuild.Request(ctx.path("vars"), ctx.path("certs"), ctx.flag("omitsReadyToBoot")));
        AtomicFiles.write(ctx.output("config"), UefiConfigBuild.json(config));
        ctx.log("uefi-config from " + (from == null ? "nothing" : from.getFileName()) + ": PK " + (config.pk() == null ? "absent" : config.pk().length + " bytes")
                + ", db " + (config.db() == null ? "absent" : config.db().length + " bytes"));
    }
}
