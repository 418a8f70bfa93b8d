package dev.sealwright.attest.dcap;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 48-byte DCAP quote header (all versions). In v3 (SGX) bytes 8..11 carry the QE and PCE SVNs;
 * in v4/v5 they are reserved and read here as the same two u16 fields.
 */
public record QuoteHeader(int version, int attestationKeyType, long teeType, int qeSvn, int pceSvn,
                          byte[] qeVendorId, byte[] userData) {
    public static final int SIZE = 48;
    public static final long TEE_SGX = 0x00000000L;
    public static final long TEE_TDX = 0x00000081L;
    public static final int ECDSA_P256 = 2;
    static final byte[] INTEL_QE_VENDOR_ID = HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607");

    static QuoteHeader read(LeReader r) {
        return new QuoteHeader(r.u16("header.version"), r.u16("header.att_key_type"), r.u32("header.tee_type"),
                r.u16("header.qe_svn"), r.u16("header.pce_svn"), r.bytes(16, "header.qe_vendor_id"),
                r.bytes(20, "header.user_data"));
    }

    void write(LeWriter w) {
        w.u16(version).u16(attestationKeyType).u32(teeType).u16(qeSvn).u16(pceSvn).bytes(qeVendorId).bytes(userData);
    }

    public boolean isTdx() {
        return teeType == TEE_TDX;
    }

    Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("version", version);
        m.put("att_key_type", attestationKeyType);
        m.put("tee_type", String.format("0x%08x", teeType));
        if (version == 3) {
            m.put("qe_svn", qeSvn);
            m.put("pce_svn", pceSvn);
        }
        m.put("qe_vendor_id", Hex.of(qeVendorId));
        m.put("user_data", Hex.of(userData));
        return m;
    }
}
