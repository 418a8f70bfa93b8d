package dev.sealwright.attest.snp;

import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

import java.io.IOException;
import java.security.cert.X509Certificate;

/**
 * The AMD extensions of a VCEK/VLEK certificate (OID arc 1.3.6.1.4.1.3704.1): product name, TCB SPLs
 * (boot loader, TEE, SNP, microcode, FMC on Turin), hardware id (VCEK) or CSP id (VLEK).
 */
public record VcekExtensions(String productName, Integer bootLoader, Integer tee, Integer snp, Integer microcode, Integer fmc,
                             byte[] hwId, String cspId) {
    static final String ARC = "1.3.6.1.4.1.3704.1.";

    public static VcekExtensions of(X509Certificate cert) {
        return new VcekExtensions(string(cert, ARC + "2"), integer(cert, ARC + "3.1"), integer(cert, ARC + "3.2"), integer(cert, ARC + "3.3"),
                integer(cert, ARC + "3.8"), integer(cert, ARC + "3.9"), octets(cert, ARC + "4"), string(cert, ARC + "5"));
    }

    public boolean isVlek() {
        return cspId != null;
    }

    private static ASN1Primitive inner(X509Certificate cert, String oid) {
        byte[] ext = cert.getExtensionValue(oid);
        if (ext == null) return null;
        byte[] value = ASN1OctetString.getInstance(ext).getOctets();
        try {
            return ASN1Primitive.fromByteArray(value);
        } catch (IOException | RuntimeException e) {
            return new org.bouncycastle.asn1.DEROctetString(value);
        }
    }

    private static Integer integer(X509Certificate cert, String oid) {
        ASN1Primitive p = inner(cert, oid);
        return p instanceof ASN1Integer i ? i.intValueExact() : null;
    }

    private static String string(X509Certificate cert, String oid) {
        ASN1Primitive p = inner(cert, oid);
        if (p instanceof ASN1String s) return s.getString();
        return p instanceof ASN1IA5String s ? s.getString() : null;
    }

    private static byte[] octets(X509Certificate cert, String oid) {
        byte[] ext = cert.getExtensionValue(oid);
        if (ext == null) return null;
        byte[] value = ASN1OctetString.getInstance(ext).getOctets();
        // hwID is the raw chip id (64 bytes, 8 on Turin); unwrap if a KDS ever wraps it in an OCTET STRING
        if (value.length == 64 || value.length == 8) return value;
        if (value.length > 2 && value[0] == 0x04 && (value[1] & 0xFF) == value.length - 2) return java.util.Arrays.copyOfRange(value, 2, value.length);
        return value;
    }
}
