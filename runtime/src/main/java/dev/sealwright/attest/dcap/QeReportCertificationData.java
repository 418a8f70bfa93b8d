package dev.sealwright.attest.dcap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QE report certification data: the QE's own report, its signature by the PCK key, the QE
 * authentication data and the inner certification data (type 5 = PEM PCK chain). In v3 quotes
 * these fields follow the attestation key directly; in v4/v5 they are wrapped as certification
 * data of type 6.
 */
public record QeReportCertificationData(SgxReportBody qeReport, byte[] qeReportSignature, byte[] qeAuthData,
                                        int certificationDataType, byte[] certificationData) {
    public static final int PCK_CERT_CHAIN = 5;
    public static final int QE_REPORT_CERT_DATA = 6;

    static QeReportCertificationData read(LeReader r) {
        SgxReportBody report = SgxReportBody.read(r, "qe_report");
        byte[] sig = r.bytes(64, "qe_report_signature");
        int authSize = r.u16("qe_auth_data_size");
        byte[] auth = r.bytes(authSize, "qe_auth_data");
        int type = r.u16("certification_data_type");
        int size = r.length("certification_data_size");
        return new QeReportCertificationData(report, sig, auth, type, r.bytes(size, "certification_data"));
    }

    void write(LeWriter w) {
        qeReport.write(w);
        w.bytes(qeReportSignature).u16(qeAuthData.length).bytes(qeAuthData).u16(certificationDataType).u32(certificationData.length)
                .bytes(certificationData);
    }

    int size() {
        return SgxReportBody.SIZE + 64 + 2 + qeAuthData.length + 2 + 4 + certificationData.length;
    }

    Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("qe_report", qeReport.fields());
        m.put("qe_report_signature", Hex.of(qeReportSignature));
        m.put("qe_auth_data", Hex.of(qeAuthData));
        m.put("certification_data_type", certificationDataType);
        m.put("certification_data_size", certificationData.length);
        return m;
    }
}
