package dev.sealwright.tpm;

import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code tpmSeal { srkPub file('srk.pub'); pcrs 'sha256:7'; pcrValues predicted; data secret(file: 'key') }}:
 * the offline seal of {@code tpm seal} as a cached step. The output directory holds sealed.pub,
 * sealed.dpriv, sealed.seed (0600) and, with {@code keyslot}, the systemd-tpm2 LUKS2 token.
 */
public final class TpmSealStep implements StepType {
    @Override public String name() { return "tpm.seal"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "seal a secret offline to predicted PCRs for a TPM's SRK (tpm2_import blob)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("srkPub", Input.class, "SRK public area, TPM2B_PUBLIC (tpm2_readpublic -o)"),
                OptionSpec.required("pcrs", String.class, "PCR selection, e.g. sha256:7,4").checked(OptionChecks.parsedBy(PcrSelection::parse)),
                OptionSpec.required("pcrValues", Input.class, "predicted PCR values JSON {\"sha256\": {\"7\": \"<hex>\"}}"),
                OptionSpec.required("data", Secret.class, "the secret to seal, 1..128 bytes"),
                OptionSpec.optional("keyslot", Long.class, -1L, "also write a systemd-tpm2 LUKS2 token for this keyslot").checked(OptionChecks.range(-1, 31)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.directory("sealed", "sealed", "sealed.pub, sealed.dpriv, sealed.seed [, " + PcrPolicySeal.TOKEN_FILE + "]"),
                OutputSpec.value("policy", "the PolicyPCR digest (authPolicy of the sealed object), hex"),
                OutputSpec.value("name", "Name of the sealed object, hex"));
    }

    @Override
    public void execute(StepContext ctx) {
        Secret secret = ctx.secret("data");
        PcrPolicySeal sealed = PcrPolicySeal.seal(ctx.path("srkPub"), ctx.string("pcrs"), ctx.path("pcrValues"), secret.reveal(), secret.source());
        Path dir = ctx.output("sealed");
        SealedFiles.write(dir, sealed.blob(), false);
        long keyslot = ctx.number("keyslot");
        if (keyslot >= 0) PcrPolicySeal.writeToken(dir.resolve(PcrPolicySeal.TOKEN_FILE), sealed.token((int) keyslot), false);
        ctx.value("policy", HexFormat.of().formatHex(sealed.policy()));
        ctx.value("name", HexFormat.of().formatHex(sealed.blob().name()));
        ctx.log("sealed " + secret.source() + " under PolicyPCR " + sealed.selection());
    }
}
