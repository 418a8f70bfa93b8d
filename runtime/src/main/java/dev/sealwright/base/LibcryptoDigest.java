package dev.sealwright.base;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A {@link MessageDigest} over OpenSSL's EVP digest API, called through JNA's direct mapping.
 * <p>
 * Input is copied into a 64 KiB native buffer of this digest's own and hashed from there, never
 * handed to libcrypto where it lies: a page of a file mapping that a truncation took away raises
 * SIGBUS, which the JVM turns into an {@link InternalError} during a Java copy (the caller names the
 * file, see {@link InputFiles}) but which would end the JVM inside native code. The copy costs about
 * 6 % of libcrypto's rate (805-815 against 860-870 MB/s for SHA-384 per CPU-second), which leaves it
 * ahead of the JDK's 760-775.
 */
final class LibcryptoDigest extends MessageDigest {
    private static final int CHUNK = 64 << 10;
    private static final Cleaner CLEANER = Cleaner.create(DaemonThreads.named("libcrypto-cleaner"));
    private static final boolean AVAILABLE = load();

    private final Pointer type;
    private final int length;
    private final Pointer ctx;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
    private final Pointer bufferAddress = Native.getDirectBufferPointer(buffer);

    LibcryptoDigest(String algorithm) {
        super(algorithm);
        type = EVP_get_digestbyname(algorithm.replace("-", ""));   // OpenSSL's names: SHA384, SHA512
        if (type == null) throw new IllegalStateException("libcrypto has no digest " + algorithm);
        length = EVP_MD_get_size(type);
        Pointer c = EVP_MD_CTX_new();
        if (c == null) throw new OutOfMemoryError("libcrypto: EVP_MD_CTX_new failed");
        ctx = c;
        CLEANER.register(this, () -> EVP_MD_CTX_free(c));
        init();
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** Binds the natives to libcrypto.so.3 and checks SHA-384 and SHA-512 of "abc" against the JDK's; false if anything fails. */
    private static boolean load() {
        try {
            placeJnaStub();
            Native.register(LibcryptoDigest.class, NativeLibrary.getInstance("libcrypto.so.3"));
            byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
            for (String alg : new String[]{"SHA-384", "SHA-512"}) {
                MessageDigest ours = new LibcryptoDigest(alg);
                ours.update(abc, 0, 1);
                ours.update(ByteBuffer.wrap(abc, 1, 2));
                if (!Arrays.equals(ours.digest(), MessageDigest.getInstance(alg).digest(abc))) return false;
            }
            return true;
        } catch (LinkageError | RuntimeException | NoSuchAlgorithmException e) {
            return false;   // no libcrypto 3 here (or not JNA's platform): the JDK's digests serve
        }
    }

    /**
     * JNA's own native stub ({@code libjnidispatch.so}, in JNA's jar) unpacked once into the helpers cache
     * ({@link CacheDirs#unpacked}, as {@code NativeHelpers} unpacks the C helpers), and loaded from there ({@code jna.boot.library.path}).
     * Left to itself JNA extracts it to a temp file per JVM and deletes it after loading, and a JVM killed in between
     * leaves that file for good. Where the cache cannot be written, JNA's own way is used. Must run before JNA's
     * {@code Native} class is first touched: its initialiser loads the stub.
     */
    private static void placeJnaStub() {
        if (System.getProperty("jna.boot.library.path") != null || !System.getProperty("os.name").equals("Linux")) return;
        String prefix = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "linux-x86-64";
            case "aarch64" -> "linux-aarch64";
            default -> null;
        };
        String name = System.mapLibraryName("jnidispatch");
        try (InputStream in = prefix == null ? null : LibcryptoDigest.class.getClassLoader().getResourceAsStream("com/sun/jna/" + prefix + "/" + name)) {
            if (in == null) return;
            Path dir = CacheDirs.unpacked(name, in.readAllBytes()).getParent();
            System.setProperty("jna.boot.library.path", dir.toString());
            if (System.getProperty("jna.tmpdir") == null) System.setProperty("jna.tmpdir", dir.toString());   // else JNA makes ~/.cache/JNA/temp
        } catch (IOException | RuntimeException e) {
            // an unwritable cache: JNA extracts its stub itself
        }
    }

    private void init() {
        if (EVP_DigestInit_ex(ctx, type, null) != 1) throw new IllegalStateException("libcrypto: EVP_DigestInit_ex failed for " + getAlgorithm());
    }

    /** Hashes the first {@code n} bytes of {@link #buffer}. */
    private void hashBuffer(int n) {
        if (EVP_DigestUpdate(ctx, bufferAddress, n) != 1) throw new IllegalStateException("libcrypto: EVP_DigestUpdate failed");
    }

    @Override
    protected void engineUpdate(byte input) {
        buffer.put(0, input);
        hashBuffer(1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            buffer.put(0, input, offset + done, n);
            hashBuffer(n);
            done += n;
        }
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        while (input.hasRemaining()) {
            int n = Math.min(CHUNK, input.remaining());
            buffer.put(0, input, input.position(), n);
            input.position(input.position() + n);
            hashBuffer(n);
        }
    }

    @Override
    protected byte[] engineDigest() {
        if (EVP_DigestFinal_ex(ctx, bufferAddress, null) != 1) throw new IllegalStateException("libcrypto: EVP_DigestFinal_ex failed");
        byte[] out = new byte[length];
        buffer.get(0, out);
        init();
        return out;
    }

    @Override
    protected void engineReset() {
        init();
    }

    @Override
    protected int engineGetDigestLength() {
        return length;
    }

    private static native Pointer EVP_get_digestbyname(String name);

    private static native int EVP_MD_get_size(Pointer md);

    private static native Pointer EVP_MD_CTX_new();

    private static native void EVP_MD_CTX_free(Pointer ctx);

    private static native int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

    private static native int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

    private static native int EVP_DigestFinal_ex(Pointer ctx, Pointer out, Pointer size);
}
