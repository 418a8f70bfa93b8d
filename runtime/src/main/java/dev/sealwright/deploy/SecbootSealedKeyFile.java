package dev.sealwright.deploy;

import dev.sealwright.disk.luks2.AfSplitter;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tpm.EncryptedSecret;
import dev.sealwright.tpm.PcrSelection;
import dev.sealwright.tpm.TpmAlg;
import dev.sealwright.tpm.TpmFormatException;
import dev.sealwright.tpm.TpmPrivate;
import dev.sealwright.tpm.TpmPublic;
import dev.sealwright.tpm.TpmReader;
import dev.sealwright.tpm.TpmWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * secboot's sealed key file, version 2 ("importable"), the file encrypt-cloud-image deploy writes to
 * {@code ESP/device/fde/cloudimg-rootfs.sealed-key} and snap-bootstrap unseals (secboot tpm2/keydata_legacy.go,
 * keydata_v2.go, policy_v1.go, policy_v0.go; go-tpm2 mu wire rules):
 *
 * <pre>
 * u32 magic 0x55534b24 "USK$" ‖ u32 version 2 ‖ u32 stripes ‖ u16 hashAlg (SHA-256) ‖ u32 size ‖ AF-split(keyData_v2)
 * keyData_v2 = TPM2B_PRIVATE duplicate ‖ TPMT_PUBLIC sealed object ‖ u8 unused ‖ TPM2B_ENCRYPTED_SECRET import seed ‖ policy
 * policy     = TPMT_PUBLIC authPublicKey ‖ u32 pcrPolicyCounterHandle ‖ TPM2B pcrPolicyRef
 *            ‖ TPML_PCR_SELECTION ‖ u32 n ‖ n × {u32 next ‖ TPML_DIGEST} ‖ u64 policySequence
 *            ‖ TPM2B_DIGEST authorizedPolicy ‖ TPMT_SIGNATURE (ECDSA: u16 0x0018 ‖ u16 hash ‖ TPM2B r ‖ TPM2B s)
 * </pre>
 *
 * The AF split is the LUKS1 anti-forensic splitter with SHA-256 over stripes = 128 KiB / len + 1 blocks.
 */
public record SecbootSealedKeyFile(TpmPrivate duplicate, TpmPublic sealedPublic, EncryptedSecret importSeed, TpmPublic authPublicKey,
                                   int pcrPolicyCounterHandle, byte[] pcrPolicyRef, PcrSelection selection, List<OrNode> orData,
                                   long policySequence, byte[] authorizedPolicy, int signatureHash, byte[] signatureR, byte[] signatureS) {
    public static final int MAGIC = 0x55534b24;
    public static final int VERSION = 2;
    public static final int HANDLE_NULL = 0x40000007;
    static final int MAX_DIGEST = 64;

    /** One node of the flattened PolicyOR tree: {@code next} is the offset to its parent (0 = root). */
    public record OrNode(int next, List<byte[]> digests) {
        public OrNode {
            digests = List.copyOf(digests);
        }
    }

    public SecbootSealedKeyFile {
        orData = List.copyOf(orData);
    }

    /** keyData_v2 in TPM wire format (what the AF split protects). */
    public byte[] keyData() {
        TpmWriter w = new TpmWriter();
        duplicate.write(w);
        sealedPublic.write(w);
        w.u8(0);
        importSeed.write(w);
        authPublicKey.write(w);
        w.u32(pcrPolicyCounterHandle).sized(pcrPolicyRef);
        selection.write(w);
        w.u32(orData.size());
        for (OrNode n : orData) {
            w.u32(n.next()).u32(n.digests().size());
            for (byte[] d : n.digests()) w.sized(d);
        }
        w.u32((int) (policySequence >>> 32)).u32((int) policySequence);
        w.sized(authorizedPolicy);
        w.u16(TpmAlg.ECDSA).u16(signatureHash).sized(signatureR).sized(signatureS);
        return w.toBytes();
    }

    public static int stripes(int dataLength) {
        return 128 * 1024 / dataLength + 1;
    }

    /** The whole file; {@code random} fills the AF stripes. */
    public byte[] toBytes(Entropy random) {
        byte[] data = keyData();
        int stripes = stripes(data.length);
        byte[] split = AfSplitter.split(data, stripes, "sha256", random);
        return new TpmWriter().u32(MAGIC).u32(VERSION).u32(stripes).u16(TpmAlg.SHA256).u32(split.length).bytes(split).toBytes();
    }

    public static SecbootSealedKeyFile read(byte[] file, String source) {
        try {
            TpmReader r = new TpmReader(file);
            int magic = r.u32("magic");
            if (magic != MAGIC) throw new TpmFormatException(String.format("magic is 0x%08x, not 0x%08x (USK$)", magic, MAGIC));
            int version = r.u32("version");
            if (version != VERSION) throw new TpmFormatException("version " + version + " is not supported (only 2, an importable key)");
            int stripes = r.u32("stripes");
            int hash = r.u16("hashAlg");
            int size = r.u32("size");
            if (hash != TpmAlg.SHA256) throw new TpmFormatException("AF hash " + TpmAlg.name(hash) + " is not supported (only sha256)");
            if (stripes <= 0 || size <= 0 || size % stripes != 0) throw new TpmFormatException("AF size " + size + " is not a multiple of " + stripes + " stripes");
            byte[] split = r.bytes(size, "stripedData");
            r.end("sealed key file");
            return fromKeyData(AfSplitter.merge(split, size / stripes, stripes, "sha256"));
        } catch (TpmFormatException e) {
            throw new RecipeException(source + ": not a secboot sealed key file: " + e.getMessage());
        }
    }

    static SecbootSealedKeyFile fromKeyData(byte[] keyData) {
        TpmReader r = new TpmReader(keyData);
        TpmPrivate priv = TpmPrivate.read(r);
        TpmPublic pub = TpmPublic.read(r);
        r.u8("unused");
        EncryptedSecret seed = EncryptedSecret.read(r);
        TpmPublic auth = TpmPublic.read(r);
        int handle = r.u32("pcrPolicyCounterHandle");
        byte[] ref = r.sized("pcrPolicyRef", MAX_DIGEST);
        PcrSelection sel = PcrSelection.read(r);
        int nodes = r.u32("orData.count");
        if (nodes < 1 || nodes > 4096) throw new TpmFormatException("PolicyOR tree has " + nodes + " nodes");
        List<OrNode> or = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            int next = r.u32("orData.next");
            int count = r.u32("orData.digests.count");
            if (count < 1 || count > 8) throw new TpmFormatException("PolicyOR node " + i + " has " + count + " digests");
            List<byte[]> digests = new ArrayList<>();
            for (int d = 0; d < count; d++) digests.add(r.sized("orData.digest", MAX_DIGEST));
            or.add(new OrNode(next, digests));
        }
        long sequence = (Integer.toUnsignedLong(r.u32("policySequence.hi")) << 32) | Integer.toUnsignedLong(r.u32("policySequence.lo"));
        byte[] approved = r.sized("authorizedPolicy", MAX_DIGEST);
        int sigAlg = r.u16("signature.sigAlg");
        if (sigAlg != TpmAlg.ECDSA) throw new TpmFormatException("policy signature algorithm " + TpmAlg.name(sigAlg) + " is not ECDSA");
        int sigHash = r.u16("signature.hash");
        byte[] sr = r.sized("signature.r", 128), ss = r.sized("signature.s", 128);
        r.end("keyData_v2");
        return new SecbootSealedKeyFile(priv, pub, seed, auth, handle, ref, sel, or, sequence, approved, sigHash, sr, ss);
    }
}
