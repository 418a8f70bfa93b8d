package dev.sealwright.tpm;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.agreement.kdf.ConcatenationKDFGenerator;
import org.bouncycastle.crypto.generators.KDFCounterBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KDFCounterParameters;
import org.bouncycastle.crypto.params.KDFParameters;
import org.bouncycastle.crypto.util.DigestFactory;

/**
 * The TPM key derivation functions (TPM 2.0 Part 1, 11.4.10), built on Bouncy Castle's SP 800-108 and
 * SP 800-56A generators. Labels are ASCII and get their NUL terminator here.
 */
public final class Kdf {
    private Kdf() {}

    /** KDFa: SP 800-108 counter mode with HMAC; fixed input = label ‖ 00 ‖ contextU ‖ contextV ‖ u32 bits. */
    public static byte[] kdfa(TpmHash hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        byte[] suffix = new TpmWriter().bytes(labelBytes(label)).bytes(contextU).bytes(contextV).u32(bits).toBytes();
        KDFCounterBytesGenerator gen = new KDFCounterBytesGenerator(new HMac(digest(hash)));
        gen.init(new KDFCounterParameters(key, new byte[0], suffix, 32));
        return truncate(gen, bits);
    }

    /** KDFe: SP 800-56A concatenation KDF; K_i = H(u32 i ‖ Z ‖ label ‖ 00 ‖ partyU ‖ partyV). */
    public static byte[] kdfe(TpmHash hash, byte[] z, String label, byte[] partyU, byte[] partyV, int bits) {
        byte[] otherInfo = new TpmWriter().bytes(labelBytes(label)).bytes(partyU).bytes(partyV).toBytes();
        ConcatenationKDFGenerator gen = new ConcatenationKDFGenerator(digest(hash));
        gen.init(new KDFParameters(z, otherInfo));
        return truncate(gen, bits);
    }

    private static byte[] truncate(org.bouncycastle.crypto.DerivationFunction gen, int bits) {
        byte[] out = new byte[(bits + 7) / 8];
        gen.generateBytes(out, 0, out.length);
        if (bits % 8 != 0) out[0] &= (byte) ((1 << (bits % 8)) - 1);
        return out;
    }

    static byte[] labelBytes(String label) {
        byte[] ascii = label.getBytes(StandardCharsets.US_ASCII);
        byte[] withNul = new byte[ascii.length + 1];
        System.arraycopy(ascii, 0, withNul, 0, ascii.length);
        return withNul;
    }

    private static Digest digest(TpmHash hash) {
        return switch (hash) {
            case SHA1 -> DigestFactory.createSHA1();
            case SHA256 -> DigestFactory.createSHA256();
            case SHA384 -> DigestFactory.createSHA384();
            case SHA512 -> DigestFactory.createSHA512();
        };
    }
}
