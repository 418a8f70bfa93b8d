package dev.sealwright.measure.snp.idblock;

import dev.sealwright.engine.RecipeException;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs an ID block with the ID key and the ID key with the author key (ECDSA P-384, SHA-384), giving the
 * ID_AUTH_INFO QEMU passes to SNP_LAUNCH_FINISH; and checks both signatures as the firmware does.
 * Signing is deterministic (RFC 6979), verification uses the JCE.
 */
public final class IdBlockSigner {
    private static final String ALGORITHM = "SHA384withECDSAinP1363Format";

    private IdBlockSigner() {}

    public static IdAuthInfo sign(IdBlock block, KeyPair idKey, KeyPair authorKey) {
        SnpPublicKey id = SnpPublicKey.of((ECPublicKey) idKey.getPublic());
        SnpPublicKey author = SnpPublicKey.of((ECPublicKey) authorKey.getPublic());
        return new IdAuthInfo(IdAuthInfo.ECDSA_P384_SHA384, IdAuthInfo.ECDSA_P384_SHA384,
                sign(idKey.getPrivate(), block.toBytes()), id, sign(authorKey.getPrivate(), id.toBytes()), author);
    }

    /** Problems found (empty when the ID block signature and the ID key signature both verify). */
    public static List<String> verify(IdBlock block, IdAuthInfo auth) {
        List<String> problems = new ArrayList<>();
        if (auth.idKeyAlgo() != IdAuthInfo.ECDSA_P384_SHA384) problems.add("ID key algorithm " + auth.idKeyAlgo() + " is not ECDSA P-384 (1)");
        if (auth.authorKeyAlgo() != IdAuthInfo.ECDSA_P384_SHA384) problems.add("author key algorithm " + auth.authorKeyAlgo() + " is not ECDSA P-384 (1)");
        if (!verify(auth.idKey().toJce(), block.toBytes(), auth.idBlockSig())) problems.add("the ID block signature does not verify under the ID key");
        if (!verify(auth.authorKey().toJce(), auth.idKey().toBytes(), auth.idKeySig())) problems.add("the ID key signature does not verify under the author key");
        return problems;
    }

    /**
     * ECDSA P-384 over SHA-384(message) with RFC 6979 deterministic nonces, so the same ID block and keys
     * always give the same ID auth bytes (any ECDSA verifier accepts them; the nonce is not visible).
     */
    static SnpSignature sign(PrivateKey key, byte[] message) {
        if (!(key instanceof ECPrivateKey ec)) throw new RecipeException("SNP signing needs an EC P-384 private key, got " + key.getAlgorithm());
        X9ECParameters curve = CustomNamedCurves.getByName("secp384r1");
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA384Digest()));
        signer.init(true, new ECPrivateKeyParameters(ec.getS(), new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH())));
        SHA384Digest sha = new SHA384Digest();
        sha.update(message, 0, message.length);
        byte[] hash = new byte[sha.getDigestSize()];
        sha.doFinal(hash, 0);
        BigInteger[] rs = signer.generateSignature(hash);
        return new SnpSignature(rs[0], rs[1]);
    }

    public static boolean verify(ECPublicKey key, byte[] message, SnpSignature sig) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(sig.toP1363());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
