package dev.sealwright.measure.snp.idblock;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.snp.ByteValues;
import dev.sealwright.snp.SnpPolicy;
import dev.sealwright.vm.SnpIdBlockFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one ID-block operation: {@code sealwright snp idblock} and the {@code snp.idblock} step both build a
 * {@link Request} and call {@link #run}; the defaults live here. ECDSA is randomised, so the ID auth differs
 * from run to run; the ID block and the key digests do not.
 */
public final class IdBlockSigning {
    private IdBlockSigning() {}

    public static final String DEFAULT_POLICY = "0x30000";
    public static final String ID_KEY_DIGEST = "id-key-digest.base64", AUTHOR_KEY_DIGEST = "author-key-digest.base64";

    /**
     * {@code measurement}: the expected launch digest, 48 bytes as hex or base64. Null means the default:
     * policy 0x30000, family and image id zero, version 1 (the only one the SNP ABI defines), svn 0.
     */
    public record Request(String measurement, String policy, String familyId, String imageId, Integer version, Long svn,
                          KeyPair idKey, KeyPair authorKey) {}

    /** The four files, base64 each: id-block, id-auth, id-key-digest, author-key-digest. */
    public record Result(Map<String, String> files) {
        public String idKeyDigest() { return files.get(ID_KEY_DIGEST); }
        public String authorKeyDigest() { return files.get(AUTHOR_KEY_DIGEST); }

        /** Each file as its base64 text and a newline. */
        public void write(Path dir) throws IOException {
            for (Map.Entry<String, String> f : files.entrySet())
                AtomicFiles.write(dir.resolve(f.getKey()), (f.getValue() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    public static Result run(Request r) {
        int version = r.version() == null ? IdBlock.VERSION : r.version();
        if (version != IdBlock.VERSION) throw new RecipeException("snp idblock: version " + version + " is not supported; the SNP ABI defines ID block version 1");
        long svn = r.svn() == null ? 0 : r.svn();
        if (svn < 0 || svn > 0xFFFFFFFFL) throw new RecipeException("snp idblock: svn " + svn + " does not fit 32 bits");
        long policy = ByteValues.number("policy", r.policy() == null ? DEFAULT_POLICY : r.policy());
        if ((policy & SnpPolicy.RESERVED_ONE) == 0 || (policy & SnpPolicy.MBZ) != 0)
            throw new RecipeException(String.format("snp idblock: policy 0x%X is invalid (bit 17 must be 1, bits 63:26 zero)", policy));
        IdBlock block = new IdBlock(ByteValues.hexOrBase64("measurement", r.measurement(), 48),
                ByteValues.hexPadded("familyId", r.familyId() == null ? "" : r.familyId(), 16),
                ByteValues.hexPadded("imageId", r.imageId() == null ? "" : r.imageId(), 16), version, (int) svn, policy);
        IdAuthInfo auth = IdBlockSigner.sign(block, r.idKey(), r.authorKey());
        var problems = IdBlockSigner.verify(block, auth);
        if (!problems.isEmpty()) throw new IllegalStateException("generated ID auth does not verify: " + problems);
        Base64.Encoder b64 = Base64.getEncoder();
        Map<String, String> files = new LinkedHashMap<>();
        files.put(SnpIdBlockFiles.ID_BLOCK, b64.encodeToString(block.toBytes()));
        files.put(SnpIdBlockFiles.ID_AUTH, b64.encodeToString(auth.toBytes()));
        files.put(ID_KEY_DIGEST, b64.encodeToString(SnpPublicKey.of((ECPublicKey) r.idKey().getPublic()).digest()));
        files.put(AUTHOR_KEY_DIGEST, b64.encodeToString(SnpPublicKey.of((ECPublicKey) r.authorKey().getPublic()).digest()));
        return new Result(Collections.unmodifiableMap(files));
    }
}
