package dev.sealwright.disk.luks2;

import dev.sealwright.base.OneLine;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A LUKS2 keyslot KDF ("kdf" object): PBKDF2 with a hash, or Argon2i/Argon2id (version 1.3),
 * computed with Bouncy Castle. {@code iterations} is PBKDF2's count or Argon2's time cost.
 */
public record Luks2Kdf(String type, String hash, int iterations, int memoryKiB, int cpus, byte[] salt) {

    public static Luks2Kdf pbkdf2(String hash, int iterations, byte[] salt) {
        return new Luks2Kdf("pbkdf2", hash, iterations, 0, 0, salt);
    }

    public static Luks2Kdf argon2(String type, int time, int memoryKiB, int cpus, byte[] salt) {
        return new Luks2Kdf(type, null, time, memoryKiB, cpus, salt);
    }

    public static Luks2Kdf fromJson(ObjectNode kdf) {
        String type = kdf.path("type").asText();
        byte[] salt = Base64.getDecoder().decode(kdf.path("salt").asText());
        return switch (type) {
            case "pbkdf2" -> pbkdf2(kdf.path("hash").asText(), kdf.path("iterations").asInt(), salt);
            case "argon2i", "argon2id" -> argon2(type, kdf.path("time").asInt(), kdf.path("memory").asInt(), kdf.path("cpus").asInt(), salt);
            default -> throw new IllegalArgumentException("unsupported kdf type \"" + OneLine.of(type) + "\"");
        };
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", type);
        if (type.equals("pbkdf2")) {
            n.put("hash", hash);
            n.put("iterations", iterations);
        } else {
            n.put("time", iterations);
            n.put("memory", memoryKiB);
            n.put("cpus", cpus);
        }
        n.put("salt", Base64.getEncoder().encodeToString(salt));
        return n;
    }

    public byte[] derive(byte[] passphrase, int length) {
        if (type.equals("pbkdf2")) return pbkdf2(hash, passphrase, salt, iterations, length);
        Argon2Parameters params = new Argon2Parameters.Builder(
                type.equals("argon2id") ? Argon2Parameters.ARGON2_id : Argon2Parameters.ARGON2_i)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withIterations(iterations).withMemoryAsKB(memoryKiB).withParallelism(cpus).withSalt(salt).build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[length];
        gen.generateBytes(passphrase, out);
        return out;
    }

    public static byte[] pbkdf2(String hash, byte[] password, byte[] salt, int iterations, int length) {
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(bcDigest(hash));
        gen.init(password, salt, iterations);
        return ((KeyParameter) gen.generateDerivedParameters(length * 8)).getKey();
    }

    static Digest bcDigest(String hash) {
        return switch (hash) {
            case "sha1" -> new SHA1Digest();
            case "sha256" -> new SHA256Digest();
            case "sha384" -> new SHA384Digest();
            case "sha512" -> new SHA512Digest();
            default -> throw new IllegalArgumentException("unsupported hash \"" + OneLine.of(hash) + "\" (sha1, sha256, sha384, sha512)");
        };
    }

    /** A JDK MessageDigest for a cryptsetup hash name (sha1, sha256, sha384, sha512). */
    public static MessageDigest digest(String hash) {
        bcDigest(hash);
        try {
            return MessageDigest.getInstance(hash.toUpperCase().replace("SHA", "SHA-"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unsupported hash \"" + OneLine.of(hash) + "\"", e);
        }
    }

    public static boolean supportedHash(String hash) {
        try {
            bcDigest(hash);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

}
