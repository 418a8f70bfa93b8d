package dev.sealwright.attest.dcap;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): FMSPC, PCE-ID and the
 * platform TCB (16 SGX component SVNs, PCESVN, CPUSVN) that TCB-level matching compares.
 */
public record PckExtensions(byte[] fmspc, byte[] pceId, int[] sgxTcbComponents, int pceSvn, byte[] cpuSvn) {
    static final String SGX_EXTENSIONS = "1.2.840.113741.1.13.1";

    static PckExtensions of(X509Certificate pck) {
        byte[] ext = pck.getExtensionValue(SGX_EXTENSIONS);
        if (ext == null) {
            throw new QuoteRejectedException("pck-certificate", "PCK certificate has no SGX extension " + SGX_EXTENSIONS);
        }
        try {
            var seq = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            Map<String, ASN1Encodable> top = entries(seq);
            var tcb = entries(ASN1Sequence.getInstance(require(top, ".2", "TCB")));
            int[] comps = new int[16];
            for (int i = 0; i < 16; i++) {
                comps[i] = intValue(require(tcb, ".2." + (i + 1), "TCB component " + (i + 1)));
            }
            return new PckExtensions(octets(require(top, ".4", "FMSPC")), octets(require(top, ".3", "PCE-ID")), comps,
                    intValue(require(tcb, ".2.17", "PCESVN")), octets(require(tcb, ".2.18", "CPUSVN")));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new QuoteRejectedException("pck-certificate", "malformed SGX extension: " + e.getMessage());
        }
    }

    private static Map<String, ASN1Encodable> entries(ASN1Sequence seq) {
        var m = new LinkedHashMap<String, ASN1Encodable>();
        for (ASN1Encodable e : seq) {
            var pair = ASN1Sequence.getInstance(e);
            String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
            if (oid.startsWith(SGX_EXTENSIONS)) {
                m.put(oid.substring(SGX_EXTENSIONS.length()), pair.getObjectAt(1));
            }
        }
        return m;
    }

    private static ASN1Encodable require(Map<String, ASN1Encodable> m, String key, String what) {
        ASN1Encodable v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(what + " (" + SGX_EXTENSIONS + key + ") missing");
        }
        return v;
    }

    private static int intValue(ASN1Encodable v) {
        ASN1Primitive p = v.toASN1Primitive();
        if (p instanceof ASN1Enumerated e) {
            return e.intValueExact();
        }
        return ASN1Integer.getInstance(p).intValueExact();
    }

    private static byte[] octets(ASN1Encodable v) {
        return ASN1OctetString.getInstance(v).getOctets();
    }

    Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("fmspc", Hex.of(fmspc));
        m.put("pce_id", Hex.of(pceId));
        m.put("pce_svn", pceSvn);
        m.put("sgx_tcb_components", sgxTcbComponents);
        m.put("cpu_svn", Hex.of(cpuSvn));
        return m;
    }
}
