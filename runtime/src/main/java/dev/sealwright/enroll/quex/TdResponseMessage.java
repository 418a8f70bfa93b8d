package dev.sealwright.enroll.quex;

import dev.sealwright.base.RecipeException;

import java.util.Arrays;

/**
 * {@code struct td_response_msg}: mask (7) ‖ echoed TDREPORT (1024) ‖ ciphertext (128) = 1159
 * bytes, the vault's answer ({@code key_msg.dat}). Ciphertext: vault ephemeral secp256k1 public key
 * X‖Y (64), AES-GCM IV (12), 4 unused bytes, GCM tag (16), encrypted 32-byte key (32).
 */
public record TdResponseMessage(byte[] mask, byte[] report, byte[] vaultPublicKey, byte[] iv, byte[] tag, byte[] encryptedKey) {
    public static final int SIZE = 1159, CIPHERTEXT = 128;

    public static TdResponseMessage decode(byte[] b, String source) {
        if (b.length != SIZE) throw new RecipeException(source + ": a quex key response is " + SIZE + " bytes, got " + b.length);
        int c = 7 + TdReport.SIZE;
        return new TdResponseMessage(Arrays.copyOf(b, 7), Arrays.copyOfRange(b, 7, c), Arrays.copyOfRange(b, c, c + 64),
                Arrays.copyOfRange(b, c + 64, c + 76), Arrays.copyOfRange(b, c + 80, c + 96), Arrays.copyOfRange(b, c + 96, c + 128));
    }

    public byte[] encode() {
        byte[] out = new byte[SIZE];
        int c = 7 + TdReport.SIZE;
        System.arraycopy(mask, 0, out, 0, 7);
        System.arraycopy(report, 0, out, 7, TdReport.SIZE);
        System.arraycopy(vaultPublicKey, 0, out, c, 64);
        System.arraycopy(iv, 0, out, c + 64, 12);
        System.arraycopy(tag, 0, out, c + 80, 16);
        System.arraycopy(encryptedKey, 0, out, c + 96, 32);
        return out;
    }
}
