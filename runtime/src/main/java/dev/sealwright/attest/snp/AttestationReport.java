package dev.sealwright.attest.snp;

import dev.sealwright.base.RecipeException;
import dev.sealwright.snp.SnpPolicy;
import dev.sealwright.snp.SnpSignature;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SEV-SNP ATTESTATION_REPORT (0x4A0 bytes, little-endian), versions 2 to 5: v3 adds the CPUID
 * family/model/stepping at 0x188, v5 the launch/current mitigation vectors at 0x1F8/0x200. Reserved
 * bytes are written as zero. The signature covers bytes [0, 0x2A0).
 */
public record AttestationReport(int version, int guestSvn, long policy, byte[] familyId, byte[] imageId, int vmpl, int signatureAlgo,
                                long currentTcb, long platformInfo, int keyInfo, byte[] reportData, byte[] measurement, byte[] hostData,
                                byte[] idKeyDigest, byte[] authorKeyDigest, byte[] reportId, byte[] reportIdMa, long reportedTcb,
                                int cpuidFamily, int cpuidModel, int cpuidStepping, byte[] chipId, long committedTcb,
                                int currentBuild, int currentMinor, int currentMajor, int committedBuild, int committedMinor, int committedMajor,
                                long launchTcb, long launchMitVector, long currentMitVector, SnpSignature signature) {
    public static final int SIZE = 0x4A0;
    public static final int SIGNED_SIZE = 0x2A0;
    public static final int SIG_ALGO_ECDSA_P384_SHA384 = 1;
    /** SIGNING_KEY values (bits 4:2 of the key-info word at 0x48). */
    public static final int SIGNING_KEY_VCEK = 0, SIGNING_KEY_VLEK = 1, SIGNING_KEY_NONE = 7;

    public static AttestationReport read(byte[] data) {
        if (data.length != SIZE) throw new RecipeException("SNP report: " + data.length + " bytes, expected " + SIZE + " (0x4A0)");
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(0);
        if (version < 2 || version > 5) throw new RecipeException("SNP report: version " + Integer.toUnsignedString(version) + " is not supported (2 to 5)");
        boolean v3 = version >= 3, v5 = version >= 5;
        return new AttestationReport(version, b.getInt(4), b.getLong(8), slice(data, 0x10, 16), slice(data, 0x20, 16), b.getInt(0x30),
                b.getInt(0x34), b.getLong(0x38), b.getLong(0x40), b.getInt(0x48), slice(data, 0x50, 64), slice(data, 0x90, 48),
                slice(data, 0xC0, 32), slice(data, 0xE0, 48), slice(data, 0x110, 48), slice(data, 0x140, 32), slice(data, 0x160, 32),
                b.getLong(0x180), v3 ? data[0x188] & 0xFF : 0, v3 ? data[0x189] & 0xFF : 0, v3 ? data[0x18A] & 0xFF : 0,
                slice(data, 0x1A0, 64), b.getLong(0x1E0), data[0x1E8] & 0xFF, data[0x1E9] & 0xFF, data[0x1EA] & 0xFF,
                data[0x1EC] & 0xFF, data[0x1ED] & 0xFF, data[0x1EE] & 0xFF, b.getLong(0x1F0), v5 ? b.getLong(0x1F8) : 0,
                v5 ? b.getLong(0x200) : 0, SnpSignature.read(data, SIGNED_SIZE));
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, version).putInt(4, guestSvn).putLong(8, policy).put(0x10, fixed(familyId, 16)).put(0x20, fixed(imageId, 16))
                .putInt(0x30, vmpl).putInt(0x34, signatureAlgo).putLong(0x38, currentTcb).putLong(0x40, platformInfo).putInt(0x48, keyInfo)
                .put(0x50, fixed(reportData, 64)).put(0x90, fixed(measurement, 48)).put(0xC0, fixed(hostData, 32))
                .put(0xE0, fixed(idKeyDigest, 48)).put(0x110, fixed(authorKeyDigest, 48)).put(0x140, fixed(reportId, 32))
                .put(0x160, fixed(reportIdMa, 32)).putLong(0x180, reportedTcb)
                .put(0x188, (byte) cpuidFamily).put(0x189, (byte) cpuidModel).put(0x18A, (byte) cpuidStepping)
                .put(0x1A0, fixed(chipId, 64)).putLong(0x1E0, committedTcb)
                .put(0x1E8, (byte) currentBuild).put(0x1E9, (byte) currentMinor).put(0x1EA, (byte) currentMajor)
                .put(0x1EC, (byte) committedBuild).put(0x1ED, (byte) committedMinor).put(0x1EE, (byte) committedMajor)
                .putLong(0x1F0, launchTcb).putLong(0x1F8, launchMitVector).putLong(0x200, currentMitVector)
                .put(SIGNED_SIZE, signature.toBytes());
        return b.array();
    }

    public boolean authorKeyEnabled() {
        return (keyInfo & 1) != 0;
    }

    public boolean maskChipKey() {
        return (keyInfo & 2) != 0;
    }

    public int signingKey() {
        return (keyInfo >>> 2) & 7;
    }

    /** Generation from the CPUID fields (v3+), else Turin if only the first 8 chip-id bytes are used, else Milan/Genoa-style (null). */
    public ProductGeneration generationHint() {
        if (version >= 3) {
            ProductGeneration g = ProductGeneration.fromCpuid(cpuidFamily, cpuidModel);
            if (g != null) return g;
        }
        boolean tailZero = true;
        for (int i = 8; i < 64; i++) tailZero &= chipId[i] == 0;
        boolean headZero = true;
        for (int i = 0; i < 8; i++) headZero &= chipId[i] == 0;
        return tailZero && !headZero ? ProductGeneration.TURIN : null;
    }

    /**
     * Where AMD's KDS serves the VCEK for this report's chip and REPORTED_TCB (DER). Turin takes the
     * first 8 chip-id bytes and an fmcSPL parameter first.
     */
    public String kdsVcekUrl(ProductGeneration gen) {
        TcbVersion t = new TcbVersion(reportedTcb, gen);
        String hwid = HexFormat.of().formatHex(gen.hasFmc() ? Arrays.copyOf(chipId, 8) : chipId);
        return "https://kdsintf.amd.com/vcek/v1/" + gen.kdsName + "/" + hwid + "?" + (gen.hasFmc() ? "fmcSPL=" + t.fmc() + "&" : "")
                + "blSPL=" + t.bootLoader() + "&teeSPL=" + t.tee() + "&snpSPL=" + t.snp() + "&ucodeSPL=" + t.microcode();
    }

    public Map<String, Object> toMap(ProductGeneration gen) {
        HexFormat hex = HexFormat.of();
        ProductGeneration g = gen == null ? ProductGeneration.MILAN : gen;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("guest_svn", guestSvn);
        m.put("policy", String.format("0x%X", policy));
        m.put("policy_flags", SnpPolicy.describe(policy));
        m.put("family_id", hex.formatHex(familyId));
        m.put("image_id", hex.formatHex(imageId));
        m.put("vmpl", vmpl);
        m.put("signature_algo", signatureAlgo);
        m.put("current_tcb", new TcbVersion(currentTcb, g).toMap());
        m.put("platform_info", String.format("0x%X", platformInfo));
        m.put("author_key_en", authorKeyEnabled());
        m.put("mask_chip_key", maskChipKey());
        m.put("signing_key", signingKey() == SIGNING_KEY_VCEK ? "VCEK" : signingKey() == SIGNING_KEY_VLEK ? "VLEK" : signingKey() == SIGNING_KEY_NONE ? "none" : "reserved " + signingKey());
        m.put("report_data", hex.formatHex(reportData));
        m.put("measurement", hex.formatHex(measurement));
        m.put("host_data", hex.formatHex(hostData));
        m.put("id_key_digest", hex.formatHex(idKeyDigest));
        m.put("author_key_digest", hex.formatHex(authorKeyDigest));
        m.put("report_id", hex.formatHex(reportId));
        m.put("report_id_ma", hex.formatHex(reportIdMa));
        m.put("reported_tcb", new TcbVersion(reportedTcb, g).toMap());
        if (version >= 3) m.put("cpuid", Map.of("family", cpuidFamily, "model", cpuidModel, "stepping", cpuidStepping));
        m.put("chip_id", hex.formatHex(chipId));
        m.put("committed_tcb", new TcbVersion(committedTcb, g).toMap());
        m.put("current_firmware", currentMajor + "." + currentMinor + " build " + currentBuild);
        m.put("committed_firmware", committedMajor + "." + committedMinor + " build " + committedBuild);
        m.put("launch_tcb", new TcbVersion(launchTcb, g).toMap());
        if (gen != null && signingKey() == SIGNING_KEY_VCEK && !maskChipKey()) m.put("kds_vcek_url", kdsVcekUrl(gen));
        if (version >= 5) {
            m.put("launch_mit_vector", String.format("0x%X", launchMitVector));
            m.put("current_mit_vector", String.format("0x%X", currentMitVector));
        }
        return m;
    }

    private static byte[] slice(byte[] d, int off, int len) {
        return Arrays.copyOfRange(d, off, off + len);
    }

    private static byte[] fixed(byte[] v, int len) {
        if (v == null || v.length != len) throw new IllegalArgumentException("SNP report field must be " + len + " bytes");
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttestationReport r && Arrays.equals(toBytes(), r.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(measurement);
    }
}
