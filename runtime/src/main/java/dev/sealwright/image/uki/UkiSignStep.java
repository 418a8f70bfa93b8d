package dev.sealwright.image.uki;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.SigningKeys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code ukiSign { uki image.uki; key secret(file: 'db.key'); cert file('db.pem') }}: a Secure Boot
 * signature on a UKI (or any PE image) made by {@code sbsign} (sbsigntool), so firmware whose db holds
 * the certificate (or a CA anchoring it) boots it. The key must be an unencrypted PEM: a
 * passphrase-protected key is decrypted first by a {@code keyDecrypt} step ({@link KeyDecryptStep}),
 * whose 0600 {@code key} output this option takes.
 * sbsign signs with RSA PKCS#1 v1.5 (deterministic) but puts the current time into the PKCS#7
 * signingTime attribute, so it runs under {@code faketime} at {@link #SIGNING_TIME}: the same inputs give
 * the same bytes. Firmware ignores signingTime, and the Authenticode digest (PCR 4) and the db authority
 * (PCR 7) do not depend on it.
 */
public final class UkiSignStep implements StepType {
    /** The signingTime every signature carries (UTC). */
    static final String SIGNING_TIME = "2000-01-01 00:00:00";

    @Override public String name() { return "uki.sign"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "sign a UKI for Secure Boot with sbsign (db key + certificate)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("uki", Input.class, "the UKI (PE image) to sign, e.g. a pack or uki step's uki"),
                OptionSpec.required("key", Secret.class, "the signing key: an unencrypted PEM private key (secret(...) or a keyDecrypt step's key)"),
                OptionSpec.required("cert", Input.class, "the PEM X.509 certificate of the key (in the firmware's db)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("uki", "uki.efi", "the signed UKI"),
                OutputSpec.value("authenticodeSha256", "Authenticode SHA-256 of the signed UKI (what firmware measures)"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        return List.of("sbsign", "faketime");
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path uki = ctx.path("uki");
        Path cert = ctx.path("cert");
        Secret secret = ctx.secret("key");
        byte[] pem = secret.reveal();
        if (new String(pem, StandardCharsets.US_ASCII).contains("ENCRYPTED"))
            throw new RecipeException("uki.sign: key " + secret.source() + " is an encrypted PEM; decrypt it first with a keyDecrypt step (its key output is a 0600 file)");
        SigningKeys.privateKey(pem, "uki.sign: key " + secret.source());
        SigningKeys.certificate(Files.readAllBytes(cert), "uki.sign: cert " + cert);
        Path keyFile = secret.file();
        if (keyFile == null) {
            keyFile = ctx.workDir().resolve("key.pem");
            AtomicFiles.writeSecret(keyFile, pem, false);
        }
        Path signed = ctx.workDir().resolve("signed.efi");
        Path sbsign = ctx.tools().find("sbsign");
        ctx.tools().exec("faketime", "-f", "@" + SIGNING_TIME, sbsign, "--key", keyFile, "--cert", cert, "--output", signed, uki)
                .env("TZ", "UTC").timeout(Duration.ofMinutes(2)).run();
        byte[] out = Files.readAllBytes(signed);
        AtomicFiles.write(ctx.output("uki"), out);
        String digest = HexFormat.of().formatHex(PeFile.authenticodeDigest(out, "SHA-256", "uki.efi"));
        ctx.value("authenticodeSha256", digest);
        ctx.log("signed " + uki.getFileName() + " with the key of " + cert.getFileName() + "; Authenticode SHA-256 " + digest);
    }
}
