package dev.sealwright.enroll.quex;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.util.BigIntegers;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Development stand-in for quex-v1-vault (which runs in SGX and seals its seed). Same contract:
 * a seed file and a key request in, a {@code key_msg.dat} response out. The TD key is derived
 * from the seed and the MASKED report, so the same image on the same platform gets the same key
 * after a reboot, and a different MRTD/RTMR0/RTMR1 gets a different one. It does not attest
 * itself: the SGX quote that accompanies a real vault's response comes from the Attest
 * component's simulated provider, labelled SIMULATED.
 */
public final class SoftwareVault {
    private static final byte[] KDF_SALT = "sealwright software vault v1".getBytes(StandardCharsets.US_ASCII);
    private final byte[] seed;
    private final SecureRandom random;

    public SoftwareVault(byte[] seed, SecureRandom random) {
        if (seed.length < 32) throw new RecipeException("vault seed must be at least 32 bytes, got " + seed.length);
        this.seed = seed.clone();
        this.random = random;
    }

    /** Creates a new random 32-byte seed file (0600); refuses to replace an existing one unless {@code overwrite}. */
    public static void initSeed(Path file, boolean overwrite) {
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        try {
            AtomicFiles.writeSecret(file, s, overwrite);
        } catch (FileAlreadyExistsException e) {
            throw new RecipeException(file + " already exists: a vault seed is never overwritten (its keys would be lost); use --force to replace it");
        } catch (IOException e) {
            throw new RecipeException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** A vault seed file (32 bytes; the real vault's sealed seed.dat is a few KiB). */
    public static final InputFiles.Bound SEED_BOUND = new InputFiles.Bound("a vault seed", 64 << 10);

    public static SoftwareVault fromSeedFile(Path file) {
        byte[] seed = InputFiles.read(file, SEED_BOUND);
        if (seed.length < 32) throw new RecipeException(file + ": a vault seed is at least 32 bytes, this is " + seed.length);
        return new SoftwareVault(seed, new SecureRandom());
    }

    /** The 32-byte TD secret key for a request: HKDF-SHA256(seed, info = mask ‖ masked report), reduced into [1, n). */
    public byte[] derive(TdKeyRequest request) {
        byte[] mask = request.mask().encode();
        byte[] masked = request.mask().apply(request.report().bytes());
        byte[] info = new byte[mask.length + masked.length];
        System.arraycopy(mask, 0, info, 0, mask.length);
        System.arraycopy(masked, 0, info, mask.length, masked.length);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(seed, KDF_SALT, info));
        byte[] okm = new byte[48];
        hkdf.generateBytes(okm, 0, okm.length);
        BigInteger n = QuexCrypto.SECP256K1.getN();
        BigInteger d = new BigInteger(1, okm).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        return BigIntegers.asUnsignedByteArray(32, d);
    }

    /** The response to a request: the derived key encrypted to the request's REPORTDATA public key. */
    public TdResponseMessage respond(TdKeyRequest request) {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        return QuexCrypto.encrypt(QuexCrypto.newPrivateKey(random), request.report().reportData(), derive(request), iv,
                request.mask().encode(), request.report().bytes());
    }
}
