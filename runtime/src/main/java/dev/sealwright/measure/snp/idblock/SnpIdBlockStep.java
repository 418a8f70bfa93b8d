package dev.sealwright.measure.snp.idblock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.snp.SnpPolicy;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.base.Json;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.measure.snp.ByteValues;
import dev.sealwright.vm.SnpIdBlockFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code snp.idblock { measurement snp.measurement; idKey secret(file: 'id.pem'); authorKey secret(file: 'author.pem') }}:
 * the signed SNP ID block and ID auth of {@code sealwright snp idblock} as a cached step, for the
 * launch's {@code sev-snp-guest} id-block / id-auth. The expected launch digest comes from a
 * {@code measure.snp} step's measurement.json. ECDSA is randomised, so a fresh run signs anew.
 */
public final class SnpIdBlockStep implements StepType {
    static final String ID_BLOCK = SnpIdBlockFiles.ID_BLOCK, ID_AUTH = SnpIdBlockFiles.ID_AUTH,
            ID_KEY_DIGEST = "id-key-digest.base64", AUTHOR_KEY_DIGEST = "author-key-digest.base64";

    @Override public String name() { return "snp.idblock"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "sign an SNP ID block and ID auth for the predicted launch digest"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("measurement", Input.class, "measurement.json of a measure.snp step (its 'digest')"),
                OptionSpec.required("idKey", Secret.class, "P-384 ID key, PKCS#8 or SEC1 PEM"),
                OptionSpec.required("authorKey", Secret.class, "P-384 author key, PKCS#8 or SEC1 PEM"),
                OptionSpec.optional("policy", String.class, "0x30000", "guest policy; must equal the launch's policy"),
                OptionSpec.optional("familyId", String.class, "", "family id, up to 16 bytes hex"),
                OptionSpec.optional("imageId", String.class, "", "image id, up to 16 bytes hex"),
                OptionSpec.optional("svn", Long.class, 0L, "guest SVN"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.directory("idblock", "idblock", ID_BLOCK + ", " + ID_AUTH + ", " + ID_KEY_DIGEST + ", " + AUTHOR_KEY_DIGEST),
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
        long svn = ctx.number("svn");
        if (svn < 0 || svn > 0xFFFFFFFFL) throw new RecipeException("snp.idblock: svn " + svn + " does not fit 32 bits");
        long policy = ByteValues.number("policy", ctx.string("policy"));
        if ((policy & SnpPolicy.RESERVED_ONE) == 0 || (policy & SnpPolicy.MBZ) != 0)
            throw new RecipeException(String.format("snp.idblock: policy 0x%X is invalid (bit 17 must be 1, bits 63:26 zero)", policy));
        IdBlock block = new IdBlock(ByteValues.hexOrBase64("measurement", doc.get("digest").asText(), 48),
                ByteValues.hexPadded("familyId", ctx.string("familyId"), 16), ByteValues.hexPadded("imageId", ctx.string("imageId"), 16),
                IdBlock.VERSION, (int) svn, policy);
        KeyPair id = key(ctx, "idKey");
        KeyPair author = key(ctx, "authorKey");
        IdAuthInfo auth = IdBlockSigner.sign(block, id, author);
        List<String> problems = IdBlockSigner.verify(block, auth);
        if (!problems.isEmpty()) throw new IllegalStateException("generated ID auth does not verify: " + problems);
        Base64.Encoder b64 = Base64.getEncoder();
        String idDigest = b64.encodeToString(SnpPublicKey.of((ECPublicKey) id.getPublic()).digest());
        String authorDigest = b64.encodeToString(SnpPublicKey.of((ECPublicKey) author.getPublic()).digest());
        Path dir = Files.createDirectories(ctx.output("idblock"));
        for (Map.Entry<String, String> f : Map.of(ID_BLOCK, b64.encodeToString(block.toBytes()), ID_AUTH, b64.encodeToString(auth.toBytes()),
                ID_KEY_DIGEST, idDigest, AUTHOR_KEY_DIGEST, authorDigest).entrySet())
            AtomicFiles.write(dir.resolve(f.getKey()), (f.getValue() + "\n").getBytes(StandardCharsets.US_ASCII));
        ctx.value("idKeyDigest", idDigest);
        ctx.value("authorKeyDigest", authorDigest);
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
