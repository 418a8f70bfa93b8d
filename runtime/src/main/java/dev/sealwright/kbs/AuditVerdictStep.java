package dev.sealwright.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kbsVerdict { audit broker.audit; resource 'luks-root'; after boot }}: reads the broker's audit
 * log once the steps in {@code after} are done and puts the resource's grants and refusals into the run
 * report as values (the audit log holds no secret values). Live: it always reads the current log.
 */
public final class AuditVerdictStep implements StepType {
    @Override public String name() { return "kbs.verdict"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.LIVE; }
    @Override public String description() { return "the broker's grants and refusals of a resource, from its audit log, as run-report values"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("audit", Input.class, "the kbs step's audit log"),
                OptionSpec.optional("resource", String.class, "luks-root", "resource to report"),
                OptionSpec.optional("require", String.class, "", "grant or refuse: fail the run unless the resource's last verdict is this").checked(OptionChecks.oneOf("", "grant", "refuse")),
                OptionSpec.optionalList("after", Input.class, "outputs of the steps to wait for (e.g. the launch whose guest asked)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.value("grants", "number of grants of the resource"),
                OutputSpec.value("refusals", "number of refusals of the resource"),
                OutputSpec.value("last", "the last audit line for the resource (JSON, no secret values)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path audit = ctx.path("audit");
        String resource = ctx.string("resource");
        int grants = 0, refusals = 0;
        String last = "";
        List<String> lines = Files.exists(audit) ? Files.readAllLines(audit) : new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(lines.get(i));
            } catch (java.io.IOException e) {
                throw new RecipeException(audit + ": line " + (i + 1) + " is not JSON");
            }
            if (!resource.equals(n.path("resource").asText())) continue;
            String verdict = n.path("verdict").asText();
            if (verdict.equals("grant")) grants++;
            else if (verdict.equals("refuse")) refusals++;
            last = lines.get(i);
            ctx.log(verdict + " " + resource + " to tee_key " + n.path("tee_key").asText() + " (" + n.path("tee").asText()
                    + (n.path("SIMULATED").asBoolean(false) ? ", SIMULATED quote" : "") + ")" + (n.hasNonNull("reason") ? ": " + n.get("reason").asText() : ""));
        }
        String require = ctx.string("require");
        if (!require.isEmpty() && !require.equals("grant") && !require.equals("refuse"))
            throw new RecipeException("kbs.verdict: require must be grant or refuse, got '" + require + "'");
        String lastVerdict = last.isEmpty() ? "none" : Json.MAPPER.readTree(last).path("verdict").asText();
        if (!require.isEmpty() && !require.equals(lastVerdict))
            throw new RecipeException("kbs.verdict: expected the broker to " + require + " " + resource + ", its last verdict in " + audit + " is " + lastVerdict);
        ctx.value("grants", grants);
        ctx.value("refusals", refusals);
        ctx.value("last", last);
    }
}
