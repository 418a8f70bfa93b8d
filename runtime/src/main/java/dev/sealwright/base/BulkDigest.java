package dev.sealwright.base;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The digest for hashing many megabytes (a UKI's Authenticode image, an initrd): SHA-384 and SHA-512
 * through the system's libcrypto (OpenSSL 3, {@code libcrypto.so.3}) where it loads and passes a
 * known-answer check, else the JDK's. On this project's machines the JDK's SHA-512 family runs 12-14 %
 * below libcrypto's per CPU-second (760-775 against 860-870 MB/s for SHA-384, measured with each
 * thread's CPU time); its SHA-256 uses the CPU's SHA extensions and is at par with libcrypto's, so
 * SHA-256 and every other algorithm stay with the JDK. Both give the same bytes (the digests are
 * standard), so which one served a request never shows in an output or a cache key.
 * <p>
 * {@code -Dsealwright.libcrypto=off} keeps every digest in the JDK.
 */
public final class BulkDigest {
    private BulkDigest() {}

    /** A new digest of {@code algorithm} (a JCE name: {@code SHA-384}, {@code SHA-256}, ...). */
    public static MessageDigest of(String algorithm) {
        if ((algorithm.equals("SHA-384") || algorithm.equals("SHA-512")) && !"off".equals(System.getProperty("sealwright.libcrypto"))
                && LibcryptoDigest.available())
            return new LibcryptoDigest(algorithm);
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException(algorithm + ": no such digest in the JDK", e);
        }
    }

    /** What {@link #of} uses for {@code algorithm}: {@code libcrypto} or {@code JDK}. */
    public static String implementation(String algorithm) {
        return of(algorithm) instanceof LibcryptoDigest ? "libcrypto" : "JDK";
    }
}
