package dev.sealwright.tpm;

import org.bouncycastle.util.BigIntegers;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.AlgorithmParameters;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;

/**
 * The outer-wrapper seed of a duplication blob and its encryption to the new parent (TPM 2.0 Part 1,
 * 24 "Protected storage"; Part 1 annex B.10.3 / C.6.1): RSA-OAEP with label "DUPLICATE\0", or an
 * ephemeral ECDH with the parent's point followed by KDFe(Z, "DUPLICATE", x(Qe), x(Qparent)).
 */
public final class DuplicationSeed {
    static final String LABEL = "DUPLICATE";

    /** The clear seed (key material: never log it) and what the parent decrypts it from. */
    public record Seed(byte[] value, EncryptedSecret encrypted) {
        @Override
        public String toString() {
            return "Seed[" + encrypted.secret().length + "-byte encrypted secret]";
        }
    }

    private DuplicationSeed() {}

    public static Seed create(TpmPublic parent, SecureRandom random) {
        TpmHash hash = parent.nameHash();
        try {
            if (parent.parameters() instanceof PublicParameters.Rsa rsa) return rsaSeed(hash, rsa, random);
            if (parent.parameters() instanceof PublicParameters.Ecc ecc) return eccSeed(hash, ecc, random);
        } catch (GeneralSecurityException e) {
            throw new TpmFormatException("cannot encrypt the seed to the parent key: " + e.getMessage());
        }
        throw new TpmFormatException("parent is a " + TpmAlg.name(parent.type()) + " object; only RSA and ECC storage keys can be parents");
    }

    private static Seed rsaSeed(TpmHash hash, PublicParameters.Rsa rsa, SecureRandom random) throws GeneralSecurityException {
        byte[] seed = new byte[hash.digestSize];
        random.nextBytes(seed);
        var key = KeyFactory.getInstance("RSA").generatePublic(
                new RSAPublicKeySpec(new BigInteger(1, rsa.modulus()), BigInteger.valueOf(rsa.effectiveExponent())));
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        MGF1ParameterSpec mgf = new MGF1ParameterSpec(hash.jceName());
        oaep.init(Cipher.ENCRYPT_MODE, key,
                new OAEPParameterSpec(hash.jceName(), "MGF1", mgf, new PSource.PSpecified(Kdf.labelBytes(LABEL))), random);
        return new Seed(seed, new EncryptedSecret(oaep.doFinal(seed)));
    }

    private static Seed eccSeed(TpmHash hash, PublicParameters.Ecc ecc, SecureRandom random) throws GeneralSecurityException {
        if (ecc.curveId() != TpmAlg.ECC_NIST_P256) {
            throw new TpmFormatException(String.format("ECC parent uses curve 0x%04x; only NIST P-256 (0x0003) is supported", ecc.curveId()));
        }
        X9ECParameters curve = NISTNamedCurves.getByName("P-256");
        BigInteger px = new BigInteger(1, ecc.point().x());
        BigInteger py = new BigInteger(1, ecc.point().y());
        // createPoint refuses a coordinate that is not a field element (>= p) with IllegalArgumentException
        if (px.compareTo(curve.getCurve().getField().getCharacteristic()) >= 0 || py.compareTo(curve.getCurve().getField().getCharacteristic()) >= 0
                || !curve.getCurve().createPoint(px, py).isValid()) {
            throw new TpmFormatException("ECC parent public point is not on the NIST P-256 curve");
        }
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        var parentKey = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(px, py), spec));

        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(spec, random);
        KeyPair ephemeral = gen.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(ephemeral.getPrivate());
        ka.doPhase(parentKey, true);
        byte[] z = ka.generateSecret();

        int size = 32;
        ECPoint qe = ((ECPublicKey) ephemeral.getPublic()).getW();
        byte[] ex = BigIntegers.asUnsignedByteArray(size, qe.getAffineX());
        byte[] ey = BigIntegers.asUnsignedByteArray(size, qe.getAffineY());
        byte[] seed = Kdf.kdfe(hash, z, LABEL, ex, BigIntegers.asUnsignedByteArray(size, px), hash.digestSize * 8);
        return new Seed(seed, new EncryptedSecret(new EccPoint(ex, ey).toBytes()));
    }
}
