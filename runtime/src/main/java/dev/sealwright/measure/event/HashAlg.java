package dev.sealwright.measure.event;

import dev.sealwright.base.BulkDigest;
import dev.sealwright.base.OneLine;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** TPM 2.0 hash algorithms that appear in TCG2 / CCEL event logs (TPM_ALG_ID, digest size, JCE name). */
public enum HashAlg {
    SHA1(0x0004, 20, "SHA-1"),
    SHA256(0x000B, 32, "SHA-256"),
    SHA384(0x000C, 48, "SHA-384"),
    SHA512(0x000D, 64, "SHA-512");

    private final int id;
    private final int size;
    private final String jceName;

    HashAlg(int id, int size, String jceName) {
        this.id = id;
        this.size = size;
        this.jceName = jceName;
    }

    public int id() {
        return id;
    }

    public int size() {
        return size;
    }

    /** Lower-case name used in JSON and on the command line: sha1, sha256, sha384, sha512. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jceName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jceName + " missing from the JDK", e);
        }
    }

    /** A digest for many megabytes ({@link BulkDigest}: SHA-384 and SHA-512 through libcrypto where it loads). */
    public MessageDigest newBulkDigest() {
        return BulkDigest.of(jceName);
    }

    public byte[] digest(byte[]... parts) {
        MessageDigest md = newDigest();
        for (byte[] p : parts) md.update(p);
        return md.digest();
    }

    /** The algorithm with this TPM_ALG_ID, or null when the log uses one we do not know. */
    public static HashAlg byId(int id) {
        for (HashAlg a : values()) if (a.id == id) return a;
        return null;
    }

    public static HashAlg byLabel(String label) {
        for (HashAlg a : values()) if (a.label().equals(label.toLowerCase(Locale.ROOT))) return a;
        throw new IllegalArgumentException("unknown hash algorithm '" + OneLine.of(label) + "' (known: sha1, sha256, sha384, sha512)");
    }
}
