package dev.sealwright.enroll.quex;

import dev.sealwright.engine.OutputRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;
import dev.sealwright.vm.PortForward;
import dev.sealwright.vm.SerialLog;
import dev.sealwright.vm.VmSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code enroll { ... }}: one quex key enrollment against a TD's agent, answered by the software
 * vault with its SIMULATED SGX identity. A live step (it talks to a running guest). Before the
 * vault answers, the TD report must have DEBUG off and the expected MRTD/RTMR0..3 (a measure.tdx
 * prediction and/or hex values); the first mismatch refuses. Its outputs hold only public values:
 * the TD public key, the SHA-256 of the key, the register check.
 */
public final class EnrollStep implements StepType {
    static final int AGENT_PORT = QuexEnrollment.AGENT_PORT;

    @Override public String name() { return "enroll"; }
    @Override public int version() { return 2; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "quex key enrollment into a TD (software vault, SIMULATED SGX identity), measurements checked first"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.optional("host", String.class, QuexEnrollment.DEFAULT_HOST, "address of the TD's agent (a forwarded port for a local VM)"),
                OptionSpec.optional("port", Long.class, (long) AGENT_PORT, "agent port (with vm: taken from the VM's forward to guest port 24516)").checked(OptionChecks.port()),
                OptionSpec.optional("vm", Input.class, null, "vm.json of the launch step running the TD"),
                OptionSpec.optional("vault", Input.class, null, "vault.json of a vault step (instead of seed and identity)"),
                OptionSpec.optional("seed", Secret.class, null, "vault seed (sealwright vault init)"),
                OptionSpec.optional("identity", Secret.class, null, "SIMULATED vault identity.pem (sealwright vault init --sim-identity)"),
                OptionSpec.optional("expected", Input.class, null, "expected.json of a measure.tdx step: MRTD/RTMR0..3 the TD must report"),
                OptionSpec.optional("mrtd", String.class, null, "expected MRTD (hex; overrides expected)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr0", String.class, null, "expected RTMR0 (hex)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr1", String.class, null, "expected RTMR1 (hex)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr2", String.class, null, "expected RTMR2 (hex)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("rtmr3", String.class, null, "expected RTMR3 (hex)").checked(OptionChecks.hex(48, true)),
                OptionSpec.optional("simulatedTdReport", Input.class, null,
                        "the SIMULATED TD report template the guest uses (tdreport.simulated); the TD's report must be it"),
                OptionSpec.optional("console", Object.class, null, "serial log of the VM (the launch step's serialLog value, or a path), for waitFor"),
                OptionSpec.optional("waitFor", String.class, null, "regex the VM console must print after the key was delivered"),
                OptionSpec.optional("timeout", Long.class, (long) QuexEnrollment.DEFAULT_TIMEOUT_SECONDS, "seconds to wait for the agent, and for waitFor").checked(OptionChecks.range(1, 86400)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("enrollment", "enrollment.json", "public record of the enrollment"),
                OutputSpec.value("tdPublicKey", "secp256k1 public key (X‖Y hex) of the key the TD received"),
                OutputSpec.value("keySha256", "SHA-256 of the key the TD received"),
                OutputSpec.value("measurementCheck", "expected-vs-reported registers, one line (SIMULATED when the TD report is)"),
                OutputSpec.value("matched", "the console line that matched waitFor (empty without waitFor)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        QuexClient.Vault vault = vault(ctx);
        int port = ctx.option("vm") != null ? forwardedPort(ctx.path("vm")) : (int) ctx.number("port");
        Map<String, String> registers = new LinkedHashMap<>();
        for (String r : ExpectedMeasurements.NAMES) if (ctx.string(r) != null) registers.put(r, ctx.string(r));
        byte[] template = ctx.option("simulatedTdReport") != null ? Files.readAllBytes(ctx.path("simulatedTdReport")) : null;
        if (template != null) ctx.log("SIMULATED TD report: the guest has no TDX module; its \"reported\" registers are the host-made template " + ctx.path("simulatedTdReport").getFileName());
        QuexEnrollment.Result result = QuexEnrollment.run(new QuexEnrollment.Request(ctx.string("host"), port, vault,
                "software (SIMULATED SGX identity)", ctx.path("expected"), registers, template, Math.toIntExact(ctx.number("timeout"))));
        for (String u : result.expected().unpredicted()) ctx.log("not checked: " + u);
        var e = result.enrollment();
        Map<String, Object> out = result.document();
        String check = result.check();
        ctx.log("measurements: " + check);
        ctx.log("enrolled " + result.address() + " (SIMULATED vault identity" + (template != null ? ", SIMULATED TD report" : "") + "), TD public key " + e.tdPublicKeyHex()
                + ", key SHA-256 " + e.keySha256());
        String matched = "";
        if (ctx.string("waitFor") != null) {
            Object console = ctx.option("console") instanceof OutputRef ? ctx.upstreamValue("console") : ctx.option("console");
            if (console == null) throw new RecipeException("enroll: waitFor needs console (the launch step's serialLog)");
            matched = SerialLog.waitFor(Path.of(console.toString()), Pattern.compile(ctx.string("waitFor")), Duration.ofSeconds(ctx.number("timeout")));
            ctx.log("guest: " + matched);
            out.put("guest", matched);
        }
        AtomicFiles.write(ctx.output("enrollment"), Json.pretty(out).getBytes(StandardCharsets.UTF_8));
        ctx.value("tdPublicKey", e.tdPublicKeyHex());
        ctx.value("keySha256", e.keySha256());
        ctx.value("measurementCheck", check);
        ctx.value("matched", matched);
    }

    private static QuexClient.Vault vault(StepContext ctx) throws Exception {
        Path seed, identity;
        if (ctx.option("vault") != null) {
            if (ctx.option("seed") != null || ctx.option("identity") != null) throw new RecipeException("enroll: give vault, or seed and identity, not both");
            Path f = ctx.path("vault");
            JsonNode doc = new ObjectMapper().readTree(f.toFile());
            if (doc == null || !doc.hasNonNull("seed") || !doc.hasNonNull("identity")) throw new RecipeException(f + ": not a vault.json (no seed/identity)");
            seed = Path.of(doc.get("seed").asText());
            identity = Path.of(doc.get("identity").asText());
            return QuexClient.software(SoftwareVault.fromSeedFile(seed), SimulatedSgxIdentity.loadFile(identity));
        }
        Secret s = ctx.secret("seed"), i = ctx.secret("identity");
        if (s == null || i == null) throw new RecipeException("enroll: give vault (a vault step), or seed and identity");
        return QuexClient.software(new SoftwareVault(s.reveal(), new SecureRandom()), SimulatedSgxIdentity.loadFile(i.file()));
    }

    /** The host port forwarded to the agent's port 24516 in a launch step's vm.json. */
    static int forwardedPort(Path vmJson) throws Exception {
        VmSpec spec = VmSpec.fromJson(Files.readString(vmJson), vmJson.toString());
        for (PortForward f : spec.forwards()) if (f.guestPort() == AGENT_PORT) return f.hostPort();
        throw new RecipeException(vmJson + ": the VM forwards no host port to guest port " + AGENT_PORT + " (add forward 'HOSTPORT:24516' to launch)");
    }
}
