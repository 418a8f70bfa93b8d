package dev.sealwright.measure.snp.idblock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.vm.SnpIdBlockFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/**
 * {@code snp.idblock { measurement snp.measurement; idKey secret(file: 'id.pem'); authorKey secret(file: 'author.pem') }}:
 * the signed SNP ID block and ID auth of {@code sealwright snp idblock} ({@link IdBlockSigning}) as a cached step, for the
 * launch's {@code sev-snp-guest} id-block / id-auth. The expected launch digest comes from a
 * {@code measure.snp} step's measurement.json. ECDSA is randomised, so a fresh run signs anew.
 */
public final class SnpIdBlockStep implements StepType {

    @Override public String name() { return "snp.idblock"; }
    @Override public String dslName() { return "snpIdBlock"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "sign an SNP ID block and ID auth for the predicted launch digest"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("measurement", Input.class, "measurement.json of a measure.snp step (its 'digest')"),
                OptionSpec.required("idKey", Secret.class, "P-384 ID key, PKCS#8 or SEC1 PEM"),
                OptionSpec.required("authorKey", Secret.class, "P-384 author key, PKCS#8 or SEC1 PEM"),
                OptionSpec.optional("policy", String.class, IdBlockSigning.DEFAULT_POLICY, "guest policy; must equal the launch's policy").checked(OptionChecks.matches("(0x)?[0-9a-fA-F]{1,16}", "a hex policy like 0x30000")),
                OptionSpec.optional("familyId", String.class, null, "family id, up to 16 bytes hex (default: zero)").checked(OptionChecks.hex(16, false)),
                OptionSpec.optional("imageId", String.class, null, "image id, up to 16 bytes hex (default: zero)").checked(OptionChecks.hex(16, false)),
                OptionSpec.optional("svn", Long.class, null, "guest SVN (default: 0)").checked(OptionChecks.range(0, 0xFFFFFFFFL)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.directory("idblock", "idblock", String.join(", ", SnpIdBlockFiles.ID_BLOCK, SnpIdBlockFiles.ID_AUTH,
                        IdBlockSigning.ID_KEY_DIGEST, IdBlockSigning.AUTHOR_KEY_DIGEST)),
                OutputSpec.value("idKeyDigest", "SHA-384 of the ID public key struct, base64 (ID_KEY_DIGEST of the report)"),
                OutputSpec.value("authorKeyDigest", "SHA-384 of the author public key struct, base64 (AUTHOR_KEY_DIGEST)"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path m = ctx.path("measurement");
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(m.toFile());
        } catch (IOException e) {
            throw new RecipeException("snp.idblock: " + m + " is not JSON: " + e.getMessage());
        }
        if (doc == null || !doc.path("digest").isTextual()) throw new RecipeException("snp.idblock: " + m + " has no \"digest\" (a measure.snp measurement.json)");
        IdBlockSigning.Result r = IdBlockSigning.run(new IdBlockSigning.Request(doc.get("digest").asText(), ctx.string("policy"),
                ctx.string("familyId"), ctx.string("imageId"), null, ctx.option("svn") == null ? null : ctx.number("svn"),
                key(ctx, "idKey"), key(ctx, "authorKey")));
        r.write(Files.createDirectories(ctx.output("idblock")));
        ctx.value("idKeyDigest", r.idKeyDigest());
        ctx.value("authorKeyDigest", r.authorKeyDigest());
        ctx.log("signed the ID block for launch digest " + doc.get("digest").asText());
    }

    /** A key secret from a file is read in place; one from the environment goes through a 0600 scratch file. */
    private static KeyPair key(StepContext ctx, String option) throws IOException {
        Secret s = ctx.secret(option);
        if (s.file() != null) return P384KeyFile.read(s.file());
        Path tmp = ctx.workDir().resolve(option + ".pem");
        AtomicFiles.writeSecret(tmp, s.reveal(), true);
        return P384KeyFile.read(tmp);
    }
}
