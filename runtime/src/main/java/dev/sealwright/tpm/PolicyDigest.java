package dev.sealwright.tpm;

import java.util.List;

/**
 * Computes a policy session digest offline, the way a trial session does (TPM 2.0 Part 3):
 * it starts at zeros and each assertion updates it as H(old ‖ u32 commandCode ‖ arguments).
 */
public final class PolicyDigest {
    public static final int CC_POLICY_AUTHORIZE = 0x0000016A;
    public static final int CC_POLICY_AUTH_VALUE = 0x0000016B;
    public static final int CC_POLICY_OR = 0x00000171;
    public static final int CC_POLICY_PCR = 0x0000017F;

    private final TpmHash hash;
    private byte[] digest;

    public PolicyDigest(TpmHash hash) {
        this.hash = hash;
        this.digest = new byte[hash.digestSize];
    }

    public TpmHash hash() {
        return hash;
    }

    public byte[] digest() {
        return digest.clone();
    }

    /** TPM2_PolicyPCR: args = TPML_PCR_SELECTION ‖ pcrDigest. */
    public PolicyDigest pcr(PcrSelection selection, byte[] pcrDigest) {
        return update(CC_POLICY_PCR, selection.toBytes(), pcrDigest);
    }

    /** TPM2_PolicyAuthValue (TPM2_PolicyPassword updates the digest the same way). */
    public PolicyDigest authValue() {
        return update(CC_POLICY_AUTH_VALUE);
    }

    /**
     * TPM2_PolicyAuthorize: the digest is reset, then d = H(H(0 ‖ CC ‖ keySign.Name) ‖ policyRef).
     * The approved policy it stands for is checked at run time, so it is not an argument here.
     */
    public PolicyDigest authorize(byte[] keySignName, byte[] policyRef) {
        digest = new byte[hash.digestSize];
        update(CC_POLICY_AUTHORIZE, keySignName);
        digest = hash.digest(digest, policyRef);
        return this;
    }

    /** TPM2_PolicyOR over 2..8 branch digests: reset, then H(0 ‖ CC ‖ d1 ‖ ... ‖ dn). */
    public PolicyDigest or(List<byte[]> branches) {
        if (branches.size() < 2 || branches.size() > 8) {
            throw new IllegalArgumentException("PolicyOR takes 2 to 8 branches, not " + branches.size());
        }
        for (byte[] b : branches) {
            if (b.length != hash.digestSize) throw new IllegalArgumentException("PolicyOR branch is not a " + hash.label() + " digest");
        }
        digest = new byte[hash.digestSize];
        return update(CC_POLICY_OR, branches.toArray(new byte[0][]));
    }

    private PolicyDigest update(int commandCode, byte[]... args) {
        byte[][] parts = new byte[args.length + 2][];
        parts[0] = digest;
        parts[1] = new TpmWriter().u32(commandCode).toBytes();
        System.arraycopy(args, 0, parts, 2, args.length);
        digest = hash.digest(parts);
        return this;
    }
}
