package dev.sealwright.attest.dcap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TD report body of a TDX quote: TD10 (584 bytes, TDX 1.0) or TD15 (648 bytes, TDX 1.5, which
 * adds tee_tcb_svn2 and mr_servicetd). {@code td15} selects the layout.
 */
public record TdReportBody(boolean td15, byte[] teeTcbSvn, byte[] mrSeam, byte[] mrSignerSeam, byte[] seamAttributes,
                           byte[] tdAttributes, byte[] xfam, byte[] mrTd, byte[] mrConfigId, byte[] mrOwner,
                           byte[] mrOwnerConfig, byte[] rtmr0, byte[] rtmr1, byte[] rtmr2, byte[] rtmr3,
                           byte[] reportData, byte[] teeTcbSvn2, byte[] mrServiceTd) {
    public static final int TD10_SIZE = 584;
    public static final int TD15_SIZE = 648;

    static TdReportBody read(LeReader r, boolean td15) {
        String b = "td_report";
        return new TdReportBody(td15, r.bytes(16, b + ".tee_tcb_svn"), r.bytes(48, b + ".mr_seam"),
                r.bytes(48, b + ".mr_signer_seam"), r.bytes(8, b + ".seam_attributes"), r.bytes(8, b + ".td_attributes"),
                r.bytes(8, b + ".xfam"), r.bytes(48, b + ".mr_td"), r.bytes(48, b + ".mr_config_id"),
                r.bytes(48, b + ".mr_owner"), r.bytes(48, b + ".mr_owner_config"), r.bytes(48, b + ".rtmr0"),
                r.bytes(48, b + ".rtmr1"), r.bytes(48, b + ".rtmr2"), r.bytes(48, b + ".rtmr3"),
                r.bytes(64, b + ".report_data"), td15 ? r.bytes(16, b + ".tee_tcb_svn2") : null,
                td15 ? r.bytes(48, b + ".mr_servicetd") : null);
    }

    void write(LeWriter w) {
        w.bytes(teeTcbSvn).bytes(mrSeam).bytes(mrSignerSeam).bytes(seamAttributes).bytes(tdAttributes).bytes(xfam)
                .bytes(mrTd).bytes(mrConfigId).bytes(mrOwner).bytes(mrOwnerConfig).bytes(rtmr0).bytes(rtmr1)
                .bytes(rtmr2).bytes(rtmr3).bytes(reportData);
        if (td15) {
            w.bytes(teeTcbSvn2).bytes(mrServiceTd);
        }
    }

    public int size() {
        return td15 ? TD15_SIZE : TD10_SIZE;
    }

    public byte[] rtmr(int i) {
        return switch (i) {
            case 0 -> rtmr0;
            case 1 -> rtmr1;
            case 2 -> rtmr2;
            case 3 -> rtmr3;
            default -> throw new IllegalArgumentException("RTMR index " + i);
        };
    }

    /** TD attributes as the little-endian u64 the TDX module defines (bit 0 DEBUG, bit 28 SEPT_VE_DISABLE). */
    public long tdAttributesValue() {
        return le64(tdAttributes);
    }

    public long xfamValue() {
        return le64(xfam);
    }

    public boolean debug() {
        return (tdAttributesValue() & 1) != 0;
    }

    static long le64(byte[] b) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("tee_tcb_svn", Hex.of(teeTcbSvn));
        m.put("mr_seam", Hex.of(mrSeam));
        m.put("mr_signer_seam", Hex.of(mrSignerSeam));
        m.put("seam_attributes", Hex.of(seamAttributes));
        m.put("td_attributes", Hex.of(tdAttributes));
        m.put("xfam", Hex.of(xfam));
        m.put("mr_td", Hex.of(mrTd));
        m.put("mr_config_id", Hex.of(mrConfigId));
        m.put("mr_owner", Hex.of(mrOwner));
        m.put("mr_owner_config", Hex.of(mrOwnerConfig));
        m.put("rtmr0", Hex.of(rtmr0));
        m.put("rtmr1", Hex.of(rtmr1));
        m.put("rtmr2", Hex.of(rtmr2));
        m.put("rtmr3", Hex.of(rtmr3));
        m.put("report_data", Hex.of(reportData));
        if (td15) {
            m.put("tee_tcb_svn2", Hex.of(teeTcbSvn2));
            m.put("mr_servicetd", Hex.of(mrServiceTd));
        }
        return m;
    }
}
