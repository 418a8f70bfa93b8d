package dev.sealwright.measure.snp.idblock;

import dev.sealwright.base.RecipeException;
import dev.sealwright.snp.SnpSignature;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SNP ID_AUTH_INFO (4096 bytes): key algorithms, the ID block signature by the ID key, the ID public key,
 * the signature of the ID key structure by the author key, and the author public key.
 */
public record IdAuthInfo(int idKeyAlgo, int authorKeyAlgo, SnpSignature idBlockSig, SnpPublicKey idKey, SnpSignature idKeySig, SnpPublicKey authorKey) {
    public static final int SIZE = 0x1000;
    public static final int ECDSA_P384_SHA384 = 1;
    static final int ID_BLOCK_SIG = 0x40, ID_KEY = 0x240, ID_KEY_SIG = 0x680, AUTHOR_KEY = 0x880;

    public byte[] toBytes() {
        byte[] out = new byte[SIZE];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(0, idKeyAlgo).putInt(4, authorKeyAlgo);
        System.arraycopy(idBlockSig.toBytes(), 0, out, ID_BLOCK_SIG, SnpSignature.SIZE);
        System.arraycopy(idKey.toBytes(), 0, out, ID_KEY, SnpPublicKey.SIZE);
        System.arraycopy(idKeySig.toBytes(), 0, out, ID_KEY_SIG, SnpSignature.SIZE);
        System.arraycopy(authorKey.toBytes(), 0, out, AUTHOR_KEY, SnpPublicKey.SIZE);
        return out;
    }

    public static IdAuthInfo read(byte[] data) {
        if (data.length != SIZE) throw new RecipeException("ID auth info: " + data.length + " bytes, expected " + SIZE);
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return new IdAuthInfo(b.getInt(0), b.getInt(4), SnpSignature.read(data, ID_BLOCK_SIG), SnpPublicKey.read(data, ID_KEY),
                SnpSignature.read(data, ID_KEY_SIG), SnpPublicKey.read(data, AUTHOR_KEY));
    }
}
