package dev.sealwright.attest.dcap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 384-byte SGX enclave report body: the body of a v3 quote, of a v5 body type 1, and the QE
 * report inside the certification data. {@code raw} keeps the exact bytes (signed as-is).
 */
public record SgxReportBody(byte[] cpuSvn, long miscSelect, byte[] reserved1, byte[] isvExtProdId,
                            byte[] attributes, byte[] mrEnclave, byte[] reserved2, byte[] mrSigner,
                            byte[] reserved3, byte[] configId, int isvProdId, int isvSvn, int configSvn,
                            byte[] reserved4, byte[] isvFamilyId, byte[] reportData) {
    public static final int SIZE = 384;

    static SgxReportBody read(LeReader r, String what) {
        return new SgxReportBody(r.bytes(16, what + ".cpu_svn"), r.u32(what + ".misc_select"),
                r.bytes(12, what + ".reserved"), r.bytes(16, what + ".isv_ext_prod_id"),
                r.bytes(16, what + ".attributes"), r.bytes(32, what + ".mr_enclave"), r.bytes(32, what + ".reserved"),
                r.bytes(32, what + ".mr_signer"), r.bytes(32, what + ".reserved"), r.bytes(64, what + ".config_id"),
                r.u16(what + ".isv_prod_id"), r.u16(what + ".isv_svn"), r.u16(what + ".config_svn"),
                r.bytes(42, what + ".reserved"), r.bytes(16, what + ".isv_family_id"), r.bytes(64, what + ".report_data"));
    }

    void write(LeWriter w) {
        w.bytes(cpuSvn).u32(miscSelect).bytes(reserved1).bytes(isvExtProdId).bytes(attributes).bytes(mrEnclave)
                .bytes(reserved2).bytes(mrSigner).bytes(reserved3).bytes(configId).u16(isvProdId).u16(isvSvn)
                .u16(configSvn).bytes(reserved4).bytes(isvFamilyId).bytes(reportData);
    }

    public byte[] toBytes() {
        var w = new LeWriter();
        write(w);
        return w.toByteArray();
    }

    /** SGX attributes flags (first 8 bytes, little-endian); DEBUG is bit 1. */
    public long attributeFlags() {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (attributes[i] & 0xff);
        }
        return v;
    }

    public boolean debug() {
        return (attributeFlags() & 0x2) != 0;
    }

    Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("cpu_svn", Hex.of(cpuSvn));
        m.put("misc_select", String.format("0x%08x", miscSelect));
        m.put("isv_ext_prod_id", Hex.of(isvExtProdId));
        m.put("attributes", Hex.of(attributes));
        m.put("mr_enclave", Hex.of(mrEnclave));
        m.put("mr_signer", Hex.of(mrSigner));
        m.put("config_id", Hex.of(configId));
        m.put("isv_prod_id", isvProdId);
        m.put("isv_svn", isvSvn);
        m.put("config_svn", configSvn);
        m.put("isv_family_id", Hex.of(isvFamilyId));
        m.put("report_data", Hex.of(reportData));
        return m;
    }
}
