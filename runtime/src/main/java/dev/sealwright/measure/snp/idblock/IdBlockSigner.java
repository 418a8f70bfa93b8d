package dev.sealwright.measure.snp.idblock;

import dev.sealwright.snp.SnpSignature;

import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs an ID block with the ID key and the ID key with the author key (ECDSA P-384, SHA-384), giving the
 * ID_AUTH_INFO QEMU passes to SNP_LAUNCH_FINISH; and checks both signatures as the firmware does.
 * Signing is deterministic (RFC 6979), verification uses the JCE.
 */
public final class IdBlockSigner {
    private IdBlockSigner() {}

    public static IdAuthInfo sign(IdBlock block, KeyPair idKey, KeyPair authorKey) {
        SnpPublicKey id = SnpPublicKey.of((ECPublicKey) idKey.getPublic());
        SnpPublicKey author = SnpPublicKey.of((ECPublicKey) authorKey.getPublic());
        return new IdAuthInfo(IdAuthInfo.ECDSA_P384_SHA384, IdAuthInfo.ECDSA_P384_SHA384,
                SnpSignature.sign(idKey.getPrivate(), block.toBytes()), id, SnpSignature.sign(authorKey.getPrivate(), id.toBytes()), author);
    }

    /** Problems found (empty when the ID block signature and the ID key signature both verify). */
    public static List<String> verify(IdBlock block, IdAuthInfo auth) {
        List<String> problems = new ArrayList<>();
        if (auth.idKeyAlgo() != IdAuthInfo.ECDSA_P384_SHA384) problems.add("ID key algorithm " + auth.idKeyAlgo() + " is not ECDSA P-384 (1)");
        if (auth.authorKeyAlgo() != IdAuthInfo.ECDSA_P384_SHA384) problems.add("author key algorithm " + auth.authorKeyAlgo() + " is not ECDSA P-384 (1)");
        if (!SnpSignature.verify(auth.idKey().toJce(), block.toBytes(), auth.idBlockSig())) problems.add("the ID block signature does not verify under the ID key");
        if (!SnpSignature.verify(auth.authorKey().toJce(), auth.idKey().toBytes(), auth.idKeySig())) problems.add("the ID key signature does not verify under the author key");
        return problems;
    }
}
