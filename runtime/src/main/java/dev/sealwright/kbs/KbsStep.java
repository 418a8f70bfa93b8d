package dev.sealwright.kbs;

import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.util.List;

/**
 * {@code kbs { policy file('policy.json'); secrets secret(file: 'secrets.json'); port 8990 }}: runs
 * the key broker for as long as the steps using it (e.g. a {@code launch} whose guest fetches its
 * LUKS key at boot) run; the engine stops it after them, on failure or Ctrl-C. The audit log is an
 * output; {@code collateral} (e.g. from {@code kbsSimulatedQuotes}) replaces the policy's tdx.collateral.
 */
public final class KbsStep implements StepType {
    @Override public String name() { return "kbs"; }
    @Override public int version() { return 2; }
    @Override public StepKind kind() { return StepKind.SERVICE; }
    @Override public String description() { return "attestation-gated key broker, up while the steps using it run"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("policy", Input.class, "broker policy (docs/kbs.md)"),
                OptionSpec.required("secrets", Secret.class, "secrets.json (mode 0600): secret(file: ...) or a step's secret output, e.g. kbs.luksVolume's secrets"),
                OptionSpec.optional("collateral", Input.class, null, "TDX collateral replacing the policy's tdx.collateral"),
                OptionSpec.optional("port", Long.class, (long) KbsService.DEFAULT_PORT, "TCP port (0: any free port)").checked(OptionChecks.port()),
                OptionSpec.optional("bind", String.class, KbsService.DEFAULT_BIND, "listen address (QEMU user-mode guests reach the host's 127.0.0.1 as 10.0.2.2)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("audit", "audit.log", "one JSON line per grant and refusal (no secret values)"),
                OutputSpec.value("url", "the broker's base URL"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Secret secret = ctx.secret("secrets");
        if (secret.file() == null) {
            throw new RecipeException("kbs: secrets must be a file (secret(file: 'secrets.json')), mode 0600");
        }
        AuditLog audit = AuditLog.toFile(ctx.output("audit"));
        KbsService service;
        try {
            service = KbsService.start(new KbsService.Request(ctx.path("policy"), ctx.path("collateral"), secret.file(), null, null, null,
                    ctx.string("bind"), Math.toIntExact(ctx.number("port")), null, null, audit, null));
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
        KbsServer server = service.server();
        KbsPolicy policy = service.policy();
        ctx.keepAlive(service);
        ctx.value("url", server.url().toString());
        ctx.log("kbs: listening on " + server.url() + " (resources: " + String.join(", ", new java.util.TreeSet<>(policy.resources().keySet()))
                + (policy.tdx() != null && policy.tdx().trustSimulated() ? "; SIMULATED root trusted" : "") + ")");
    }
}
