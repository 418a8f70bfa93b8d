package dev.sealwright.enroll.quex;

import dev.sealwright.engine.AtomicFiles;
import dev.sealwright.engine.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code enroll { ... }}: one quex key enrollment against a TD's agent, answered by the software
 * vault with its SIMULATED SGX identity. A live step (it talks to a running guest). Its outputs hold
 * only public values: the TD public key, the SHA-256 of the key, the report fields it was bound to.
 */
public final class EnrollStep implements StepType {
    @Override public String name() { return "enroll"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "quex key enrollment into a TD (software vault, SIMULATED SGX identity)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("host", String.class, "127.0.0.1", "address of the TD's agent (a forwarded port for a local VM)"),
                OptionSpec.optional("port", Long.class, 24516L, "agent port"),
                OptionSpec.required("seed", Secret.class, "vault seed (sealwright vault init)"),
                OptionSpec.required("identity", Secret.class, "SIMULATED vault identity.pem (sealwright vault init --sim-identity)"),
                OptionSpec.optional("timeout", Long.class, 60L, "seconds to wait for the agent"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("enrollment", "enrollment.json", "public record of the enrollment"),
                OutputSpec.value("tdPublicKey", "secp256k1 public key (X‖Y hex) of the key the TD received"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Secret seed = ctx.secret("seed");
        Secret identity = ctx.secret("identity");
        var vault = QuexClient.software(new SoftwareVault(seed.reveal(), new SecureRandom()), SimulatedSgxIdentity.loadFile(identity.file()));
        var e = QuexClient.enroll(ctx.string("host"), (int) ctx.number("port"), vault, (int) ctx.number("timeout") * 1000);
        var report = e.request().report();
        HexFormat hex = HexFormat.of();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vault", "software (SIMULATED SGX identity)");
        out.put("tdPublicKey", e.tdPublicKeyHex());
        out.put("keySha256", e.keySha256());
        out.put("mask", hex.formatHex(e.request().mask().encode()));
        out.put("mrTd", hex.formatHex(report.mrTd()));
        out.put("rtmr0", hex.formatHex(report.rtmr(0)));
        out.put("rtmr1", hex.formatHex(report.rtmr(1)));
        AtomicFiles.write(ctx.output("enrollment"), Json.pretty(out).getBytes(StandardCharsets.UTF_8));
        ctx.value("tdPublicKey", e.tdPublicKeyHex());
        ctx.log("enrolled " + ctx.string("host") + ":" + ctx.number("port") + " (SIMULATED vault identity), TD public key " + e.tdPublicKeyHex());
    }
}
