package dev.sealwright.deploy;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.disk.format.DiskFormat;
import dev.sealwright.disk.DiskEncryptStep;
import dev.sealwright.disk.format.RawDisk;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.tpm.PcrSelection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code disk.deploy}: {@code disk deploy} as a cached step, see {@link DiskDeployer}. The passphrase
 * comes from the image's cleartext key token unless given; a recovery keyslot is always added and its
 * key is the {@code recoveryKey} output (0600). Sealing uses fresh random seeds, so a rebuild (--fresh)
 * gives different bytes by design; the cache keeps the first result.
 */
public final class DiskDeployStep implements StepType {
    @Override public String name() { return "disk.deploy"; }
    @Override public int version() { return 3; }
    @Override public String description() { return "seal an encrypted disk image's LUKS2 key to a TPM's SRK under predicted PCRs (token + ESP key file)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("image", Input.class, "disk image with a LUKS2 partition (disk.encrypt output): raw, fixed or dynamic VHD, or qcow2"),
                OptionSpec.required("srkPub", Input.class, "SRK public area, TPM2B_PUBLIC (tpm2_readpublic -o)"),
                OptionSpec.optional("pcrValues", Input.class, null, "predicted PCR values JSON {\"sha256\": {\"7\": \"<hex>\"}}"),
                OptionSpec.optional("uefiConfig", Input.class, null, "uefi-config.json to predict the values from, with the UKI the image's ESP boots (when no pcrValues)"),
                OptionSpec.optional("pcrs", String.class, "7", "PCRs to seal to: 7, 7,4 or sha256:7,4").checked(OptionChecks.parsedBy(p -> PcrSelection.parse(p.contains(":") ? p : "sha256:" + p))),
                OptionSpec.optional("passphrase", Secret.class, null, "passphrase of an existing keyslot (default: the cleartext key token)"),
                OptionSpec.optional("partition", String.class, null, "the LUKS2 partition (default: found automatically)"),
                OptionSpec.optional("espKey", Boolean.class, true, "write the secboot sealed key file into the ESP"),
                OptionSpec.optional("standardSrkTemplate", Boolean.class, false, "the SRK uses the TCG standard template (no ESP/tpm2-srk.tmpl)"),
                OptionSpec.optional("outputFormat", String.class, null, "the image output's format: raw, vhd-fixed, vhd-dynamic or qcow2 (default: the input's)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("image", "disk.img", "the deployed disk image"),
                OutputSpec.file("recoveryKey", "recovery.key", "16-byte recovery key of the recovery keyslot (0600)"),
                OutputSpec.file("pcrValues", "pcr-values.json", "the PCR values the token is sealed to, {\"sha256\": {\"7\": \"<hex>\"}} (launch checkSeal compares a boot with them)"),
                OutputSpec.value("tpmKeyslot", "keyslot unlocked by the systemd-tpm2 token"),
                OutputSpec.value("policy", "PolicyPCR digest of the token's sealed object, hex"));
    }

    /**
     * mtools write the ESP key file and read the ESP boot chain for uefiConfig; qemu-img reads a qcow2 image and
     * writes a qcow2 output ({@link RawDisk#tools}).
     */
    @Override
    public List<String> tools(Map<String, Object> options) {
        Set<String> t = new LinkedHashSet<>();
        if (!Boolean.FALSE.equals(options.get("espKey"))) t.addAll(List.of("mdir", "mmd", "mcopy"));
        if (options.get("pcrValues") == null && options.get("uefiConfig") != null) t.add("mcopy");
        t.addAll(DiskEncryptStep.imageTools(options.get("image")));
        if ("qcow2".equals(options.get("outputFormat"))) t.add(RawDisk.QEMU_IMG);
        return new ArrayList<>(t);
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Secret passphrase = ctx.option("passphrase") == null ? null : ctx.secret("passphrase");
        DeployOptions o = new DeployOptions(ctx.path("srkPub"), ctx.string("pcrs"), ctx.path("pcrValues"),
                passphrase == null ? null : passphrase.reveal(), passphrase == null ? null : passphrase.source(),
                (String) ctx.option("partition"), ctx.output("recoveryKey"), ctx.flag("espKey"), ctx.flag("standardSrkTemplate"), ctx.path("uefiConfig"),
                ctx.option("outputFormat") == null ? null : DiskFormat.parse(ctx.string("outputFormat"), "outputFormat"));
        DiskDeployer.Result r = DiskDeployer.deploy(ctx.path("image"), ctx.output("image"), o, ctx.tools(), Entropy.secure());
        com.fasterxml.jackson.databind.node.ObjectNode values = Json.MAPPER.createObjectNode();
        r.sealedValues().forEach((bankPcr, hex) -> {
            String[] p = bankPcr.split(":", 2);
            if (!values.has(p[0])) values.putObject(p[0]);
            ((com.fasterxml.jackson.databind.node.ObjectNode) values.get(p[0])).put(p[1], hex);
        });
        AtomicFiles.write(ctx.output("pcrValues"), Json.pretty(values).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ctx.value("tpmKeyslot", r.tpmKeyslot());
        ctx.value("policy", HexFormat.of().formatHex(r.policy()));
        ctx.log("PCR values " + r.pcrValuesFrom() + ": " + r.sealedValues());
        ctx.log("partition " + r.partition() + ": keyslot " + r.tpmKeyslot() + " sealed to " + r.selection() + ", token " + r.tokenId()
                + (r.removedTokens().isEmpty() ? "" : ", removed cleartext token " + String.join(", ", r.removedTokens()))
                + (r.espFiles().isEmpty() ? "" : ", ESP: " + String.join(", ", r.espFiles())));
    }
}
